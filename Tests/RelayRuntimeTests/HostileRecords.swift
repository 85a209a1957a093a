import Contracts
import Foundation
import RelayKafka
import RelayTestSupport
import TestSupport

/// One record of a hostile stream: what is sent, and what the relay must make of it.
struct HostileRecord: Sendable {
    enum Expectation: Sendable, Hashable {
        /// Refused: dead-lettered exactly once, with one of these codes; `valueCut` when the value
        /// is too large to carry whole.
        case deadLetter(Set<DeadLetterCode>, valueCut: Bool = false)
        /// A good request: routed exactly once.
        case routed(UUID)
        /// A good answer: applied, so the request is acknowledged exactly once.
        case acknowledged(UUID)
    }

    var kind: String
    var message: OutgoingMessage
    var expectation: Expectation

    var isBad: Bool { if case .deadLetter = expectation { true } else { false } }
}

/// The ways a record can be malformed. Each one is refused whatever the seed draws.
enum Malformation: String, CaseIterable {
    case randomBytes, truncated, wrongType, hugeString, deepNesting, duplicateKeys, controlCharacters, invalidUTF8
    case hugeHeaderName, manyHeaders, wrongKey, missingKey, upperCaseKey, tombstone, wrongTopic, unknownSubject
}

/// A seeded generator of the records of a hostile stream: malformed records on the requests
/// topic and on banks' responses topics, good requests, and good answers to them.
struct HostileRecordGenerator {
    /// A bank of the test policy: its id, the IBAN bank code routed to it, its responses topic.
    struct Bank {
        var id: String
        var code: String
        var responsesTopic: String
    }

    var random: SeededRandom
    let requestsTopic: String
    let banks: [Bank]
    private var serial = 0

    init(seed: UInt64, requestsTopic: String, banks: [Bank]) {
        random = SeededRandom(state: seed)
        self.requestsTopic = requestsTopic
        self.banks = banks
    }

    // MARK: Good records

    /// A request for an account at a random bank; sometimes with noisy headers, which must not matter.
    mutating func goodRequest() -> (record: HostileRecord, bank: Bank) {
        serial += 1
        let bank = banks.randomElement(using: &random)!
        let request = freezeRequest(
            requestID(), caseID: "CASE-HS\(serial)", iban: kzIBAN(bank: bank.code, account: serial))
        var message = record(request, topic: requestsTopic)
        if random.chance(5) {
            message.headers += [
                KafkaHeader(name: random.hostileText(2000), value: random.bytes(64)),
                KafkaHeader(name: "x-empty", value: nil),
            ]
        }
        return (HostileRecord(kind: "good request", message: message, expectation: .routed(request.requestID)), bank)
    }

    /// The bank's acknowledgement of a routed request.
    func goodAnswer(to request: UUID, from bank: Bank) -> HostileRecord {
        HostileRecord(
            kind: "good answer", message: record(answer(request, .acknowledged), topic: bank.responsesTopic),
            expectation: .acknowledged(request))
    }

    // MARK: Malformed records

    /// A malformed record on the requests topic or on a bank's responses topic; with `huge`, one
    /// of the few whose value is larger than a dead letter carries (on the requests topic).
    mutating func badRecord(huge: Bool) -> HostileRecord {
        if huge { return hugeValue(topic: requestsTopic) }
        let onRequests = random.chance(2)
        let topic = onRequests ? requestsTopic : banks.randomElement(using: &random)!.responsesTopic
        let malformation = Malformation.allCases.randomElement(using: &random)!
        var record =
            onRequests ? malformedRequest(malformation, topic: topic) : malformedAnswer(malformation, topic: topic)
        record.kind = "\(malformation.rawValue) on \(onRequests ? "requests" : "responses")"
        return record
    }

    private mutating func requestID() -> UUID { UUID(uuid: uuidBytes()) }

    private mutating func uuidBytes() -> uuid_t {
        var bytes = random.bytes(16)
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )
    }

    private mutating func validRequest() -> FreezeRequest {
        serial += 1
        return freezeRequest(
            requestID(), caseID: "CASE-BAD\(serial)", iban: kzIBAN(bank: banks[0].code, account: serial))
    }

    private mutating func validAnswer() -> BankResponse {
        answer(requestID(), .acknowledged, responseID: "R-\(serial)")
    }

    /// What a malformation needs to know of the topic it is sent to.
    private struct Target {
        /// A valid event for the topic, keyed by its request id.
        var base: OutgoingMessage
        var type: String
        /// Fields where a value of the wrong type is refused.
        var typedFields: [String]
        /// A single-line text field (no control characters, bounded length).
        var labelField: String
        /// A valid event that belongs on another topic.
        var misplaced: OutgoingMessage
        /// A valid event about a request the relay does not know, and how it is refused.
        var unknown: (message: OutgoingMessage, code: DeadLetterCode)
    }

    private mutating func malformedRequest(_ malformation: Malformation, topic: String) -> HostileRecord {
        let target = Target(
            base: record(validRequest(), topic: topic), type: "freeze_request",
            typedFields: ["amount", "case_id", "issued_at", "account", "priority"], labelField: "case_id",
            misplaced: record(validAnswer(), topic: topic),
            unknown: (record(cancel(requestID()), topic: topic), .unknownRequest))
        return malformed(malformation, target)
    }

    private mutating func malformedAnswer(_ malformation: Malformation, topic: String) -> HostileRecord {
        // Its unknown event: an answer about a request the relay never received.
        let base = record(validAnswer(), topic: topic)
        let target = Target(
            base: base, type: "bank_response", typedFields: ["status", "response_id", "responded_at", "request_id"],
            labelField: "response_id", misplaced: record(validRequest(), topic: topic), unknown: (base, .unknownRequest)
        )
        return malformed(malformation, target)
    }

    private mutating func malformed(_ malformation: Malformation, _ target: Target) -> HostileRecord {
        let base = target.base
        switch malformation {
        case .wrongType:
            return refused(
                base, json: replacing(target.typedFields.randomElement(using: &random)!, in: base, with: wrongValue()),
                .schemaViolation)
        case .hugeString:
            let huge = String(repeating: "x", count: Int.random(in: 10_000...50_000, using: &random))
            return refused(base, json: replacing(target.labelField, in: base, with: .string(huge)), .schemaViolation)
        case .controlCharacters:
            return refused(
                base,
                json: replacing(
                    target.labelField, in: base, with: .string("X-\(random.hostileText(3))\u{0}\u{1B}[31m")),
                .schemaViolation)
        case .wrongTopic:
            var message = target.misplaced
            message.key = base.key
            return HostileRecord(kind: "", message: message, expectation: .deadLetter([.wrongTopic]))
        case .unknownSubject:
            return HostileRecord(
                kind: "", message: target.unknown.message, expectation: .deadLetter([target.unknown.code]))
        default:
            return malformed(malformation, base: base, type: target.type)
        }
    }

    /// Malformations that treat requests and answers alike.
    private mutating func malformed(_ malformation: Malformation, base: OutgoingMessage, type: String) -> HostileRecord
    {
        var message = base
        let bytes = base.value ?? []
        var expected: Set<DeadLetterCode> = [.invalidJSON]
        switch malformation {
        case .randomBytes:
            message.value = random.bytes(Int.random(in: 0...200, using: &random))
            // A digit or two is JSON, just not an object.
            expected = [.invalidJSON, .schemaViolation]
        case .truncated:
            message.value = Array(bytes.prefix(Int.random(in: 1..<bytes.count, using: &random)))
        case .deepNesting:
            let depth = Int.random(in: 65...600, using: &random)
            message.value = Array(
                ("{\"type\":\"\(type)\",\"nested\":" + String(repeating: "[", count: depth)
                    + String(repeating: "]", count: depth) + "}").utf8)
        case .duplicateKeys:
            message.value = Array("{\"type\":\"\(type)\",".utf8) + bytes.dropFirst()
        case .invalidUTF8:
            let broken: [[UInt8]] = [
                [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF],
            ]
            let quote = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }.randomElement(using: &random)!
            message.value = Array(bytes[...quote]) + broken.randomElement(using: &random)! + bytes[(quote + 1)...]
        case .hugeHeaderName:
            message.value = Array(bytes.prefix(bytes.count / 2))
            message.headers.append(
                KafkaHeader(
                    name: random.hostileText(Int.random(in: 1100...5000, using: &random)), value: random.bytes(16)))
        case .manyHeaders:
            message.value = Array(bytes.prefix(bytes.count / 2))
            let count = Int.random(in: 1001...2500, using: &random)
            message.headers += (0..<count).map {
                KafkaHeader(name: "h\($0)", value: $0 % 7 == 0 ? nil : Array("\($0)".utf8))
            }
        case .wrongKey:
            var key = random.hostileText(Int.random(in: 1...40, using: &random))
            if key.utf8.elementsEqual((base.key ?? []).lazy) { key += "x" }
            message.key = Array(key.utf8)
            expected = [.keyMismatch]
        case .missingKey:
            message.key = nil
            expected = [.missingKey]
        case .upperCaseKey:
            message.key = Array(String(decoding: base.key ?? [], as: UTF8.self).uppercased().utf8)
            expected = [.keyMismatch]
        case .tombstone:
            message.value = nil
        case .wrongType, .hugeString, .controlCharacters, .wrongTopic, .unknownSubject:
            preconditionFailure("handled per topic")
        }
        return HostileRecord(kind: "", message: message, expectation: .deadLetter(expected))
    }

    /// A request whose legal basis alone is larger than a dead letter carries of a value.
    private mutating func hugeValue(topic: String) -> HostileRecord {
        let base = record(validRequest(), topic: topic)
        let basis = String(repeating: "L", count: Int.random(in: 600_000...800_000, using: &random))
        var message = base
        message.value = replacing("legal_basis", in: base, with: .string(basis))
        return HostileRecord(
            kind: "huge value on requests", message: message,
            expectation: .deadLetter([.schemaViolation], valueCut: true))
    }

    private mutating func wrongValue() -> JSONValue {
        [.number(JSONNumber(5)), .bool(true), .array([]), .object([:]), .null, .string("")].randomElement(
            using: &random)!
    }

    private func refused(_ base: OutgoingMessage, json: [UInt8], _ code: DeadLetterCode) -> HostileRecord {
        var message = base
        message.value = json
        return HostileRecord(kind: "", message: message, expectation: .deadLetter([code]))
    }

    private func replacing(_ field: String, in message: OutgoingMessage, with value: JSONValue) -> [UInt8] {
        guard case .object(var fields)? = try? JSONValue.parse(message.value ?? []) else {
            preconditionFailure("a valid event")
        }
        fields[field] = value
        return JSONValue.object(fields).canonicalBytes
    }
}
