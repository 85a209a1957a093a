import Contracts
import Foundation
import Relay
import RelayKafka
import TestSupport
import Testing

@testable import RelayRuntime

/// Building a dead letter is total: whatever a record holds, the relay can write a dead letter
/// for it that its own contract accepts and that a broker with default limits takes.
@Suite("Dead letters for any record")
struct DeadLetterTotalityTests {
    static let policy = testPolicy()

    /// One arbitrary record: mostly ordinary sizes, sometimes extreme ones.
    static func arbitraryRecord(_ random: inout SeededRandom) -> KafkaMessage {
        func someBytes(_ random: inout SeededRandom, max: Int) -> [UInt8]? {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return nil
            case 1: return []
            case 2:
                return random.chance(20)
                    ? random.bytes(Int.random(in: 0...(2 * max), using: &random)) : Array(random.hostileText(64).utf8)
            default: return random.bytes(Int.random(in: 0...64, using: &random))
            }
        }
        let key = someBytes(&random, max: 1_100_000)
        let value = someBytes(&random, max: 700_000)
        let headerCount =
            random.chance(40) ? Int.random(in: 990...3000, using: &random) : Int.random(in: 0...12, using: &random)
        let headers = (0..<headerCount).map { _ in
            let nameLength =
                random.chance(30) ? Int.random(in: 900...5000, using: &random) : Int.random(in: 0...40, using: &random)
            let valueBytes =
                random.chance(30)
                ? random.bytes(Int.random(in: 4000...20_000, using: &random)) : someBytes(&random, max: 64)
            return KafkaHeader(name: random.hostileText(nameLength), value: valueBytes)
        }
        return KafkaMessage(
            topic: random.chance(2) ? "freeze.requests" : "freeze.bank.alpha.responses",
            partition: Int32.random(in: 0...Int32.max, using: &random),
            offset: Int64.random(in: 0...Int64.max, using: &random),
            key: key, value: value, headers: headers)
    }

    static func arbitraryRefusal(_ random: inout SeededRandom) -> Refusal {
        Refusal(
            code: DeadLetterCode.allCases.randomElement(using: &random)!,
            path: random.chance(3) ? nil : random.hostileText(random.chance(20) ? 3000 : 20),
            message: random.hostileText(random.chance(20) ? 10_000 : Int.random(in: 0...80, using: &random)))
    }

    /// Encodes the dead letter the relay would queue for `record`, checks it against the contract
    /// and the budget, and returns it decoded.
    @discardableResult
    static func checkedDeadLetter(_ record: KafkaMessage, refusal: Refusal) throws -> DeadLetter {
        let cause = Cause.record(topic: record.topic, partition: record.partition, offset: record.offset, eventID: nil)
        let outgoing = OutboxEncoding.deadLetter(record, refusal: refusal, policy: policy, cause: cause, now: t0)
        let message = try OutboxEncoding.encode(outgoing)
        #expect(message.payload.count <= DeadLetterLimits.encodedBytes, "\(message.payload.count) bytes")
        #expect((message.key?.count ?? 0) <= DeadLetterLimits.kafkaKey)
        guard case .deadLetter(let letter) = try EventDecoder.decodeEvent(message.payload) else {
            Issue.record("not a dead letter")
            throw CancellationError()
        }
        expectCutsStated(letter, record)
        return letter
    }

    /// What was kept is the beginning of the original, and every cut says how large the original was.
    static func expectCutsStated(_ letter: DeadLetter, _ record: KafkaMessage) {
        func expectCut(
            _ kept: [UInt8]?, _ truncated: Bool, _ size: Int?, of original: [UInt8]?, limit: Int, _ what: String
        ) {
            guard let original else { return #expect(kept == nil && !truncated && size == nil, "\(what)") }
            #expect(kept == Array(original.prefix(limit)), "\(what)")
            #expect(
                truncated == (original.count > limit) && size == (truncated ? original.count : nil),
                "\(what): \(original.count) bytes")
        }
        expectCut(letter.key, letter.keyTruncated, letter.keySize, of: record.key, limit: DeadLetterLimits.key, "key")
        expectCut(
            letter.value, letter.valueTruncated, letter.valueSize, of: record.value, limit: DeadLetterLimits.value,
            "value")
        #expect(letter.headers.count <= DeadLetterLimits.headers)
        let cut = letter.headers.count < record.headers.count
        #expect(letter.headersTruncated == cut && letter.headersCount == (cut ? record.headers.count : nil))
        for (kept, original) in zip(letter.headers, record.headers) {
            expectCut(
                kept.value, kept.valueTruncated, kept.valueSize, of: original.value,
                limit: DeadLetterLimits.headerValue, "header value")
            #expect(kept.name.unicodeScalars.count <= DeadLetterLimits.headerNameCharacters)
            if original.name.unicodeScalars.count <= DeadLetterLimits.headerNameCharacters
                && !original.name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
                )
            {
                #expect(kept.name == original.name)
            }
        }
        #expect(!letter.contentOmitted)
    }

    /// `FREEZE_RELAY_DEAD_LETTER_CASES` asks for more cases, `FREEZE_RELAY_DEAD_LETTER_SEED` for another seed.
    @Test("2,000 arbitrary records, extremes included, all give a valid dead letter within the budget")
    func arbitraryRecords() throws {
        let seed = SeededRandom.seed(from: "FREEZE_RELAY_DEAD_LETTER_SEED", default: 0xDEAD_1E77_E2)
        let cases = Int(ProcessInfo.processInfo.environment["FREEZE_RELAY_DEAD_LETTER_CASES"] ?? "") ?? 2000
        print(
            "dead-letter totality: seed 0x\(String(seed, radix: 16)), \(cases) cases (FREEZE_RELAY_DEAD_LETTER_SEED / FREEZE_RELAY_DEAD_LETTER_CASES to change)"
        )
        var random = SeededRandom(state: seed)
        for _ in 0..<cases {
            let record = Self.arbitraryRecord(&random)
            try Self.checkedDeadLetter(record, refusal: Self.arbitraryRefusal(&random))
        }
    }

    @Test("the worst case: a 1 MB key, a 2 MB value, 10,000 headers of 1 KB names and 100 KB values")
    func worstCase() throws {
        let bigValue = [UInt8](repeating: 0xFF, count: 100_000)
        let record = KafkaMessage(
            topic: "freeze.requests", partition: Int32.max, offset: Int64.max,
            key: [UInt8](repeating: 0x80, count: 1_000_000), value: [UInt8](repeating: 0x22, count: 2_000_000),
            headers: (0..<10_000).map {
                KafkaHeader(name: String(repeating: "\u{1}", count: 1024) + "\($0)", value: bigValue)
            })
        try Self.checkedDeadLetter(
            record,
            refusal: Refusal(
                code: .tooLarge, path: String(repeating: "p", count: 5000),
                message: String(repeating: "😀\u{0}", count: 50_000)))
    }
}
