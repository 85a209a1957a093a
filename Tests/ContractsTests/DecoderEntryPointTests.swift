import Contracts
import Foundation
import Testing

@Suite("Decoder entry points")
struct DecoderEntryPointTests {
    private func example(_ key: String) -> [UInt8] {
        TestFiles.examples("valid").first { $0.key == key }?.bytes ?? []
    }

    private func edit(_ key: String, _ change: (inout [String: Any]) -> Void) -> [UInt8] {
        var object = (try? JSONSerialization.jsonObject(with: Data(example(key)))) as? [String: Any] ?? [:]
        change(&object)
        return [UInt8]((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    @Test("The police topic accepts requests and cancels only")
    func policeTopic() throws {
        guard
            case .request = try EventDecoder.decodePoliceMessage(example("freeze_request/urgent-card-fraud-kaspi.json"))
        else {
            Issue.record("not a request")
            return
        }
        guard case .cancel = try EventDecoder.decodePoliceMessage(Data(example("freeze_cancel/funds-recovered.json")))
        else {
            Issue.record("not a cancel")
            return
        }
        do {
            _ = try EventDecoder.decodePoliceMessage(example("bank_response/acknowledged.json"))
            Issue.record("accepted a bank response on the police topic")
        } catch {
            #expect(error.code == .wrongTopic)
            #expect(error.path == "type")
            #expect(
                error.description
                    == "type: event type bank_response does not belong on the police requests topic; expected freeze_request or freeze_cancel"
            )
        }
    }

    @Test("The bank responses topic accepts bank responses only")
    func bankTopic() throws {
        #expect(try EventDecoder.decodeBankResponse(example("bank_response/frozen-full-amount.json")).status == .frozen)
        #expect(throws: ContractError.self) {
            try EventDecoder.decodeBankResponse(example("routed_request/original-request-to-kaspi.json"))
        }
        #expect(throws: ContractError.self) {
            try EventDecoder.decode(Escalation.self, from: example("routed_request/original-request-to-kaspi.json"))
        }
        #expect(
            try EventDecoder.decode(RoutedRequest.self, from: example("routed_request/original-request-to-kaspi.json"))
                .bankID.rawValue == "kaspi")
    }

    @Test("Unknown type and version are refused with clear reasons")
    func typeAndVersion() {
        let unknown = edit("freeze_request/normal-minimal-fields.json") { $0["type"] = "freeze_order" }
        do { _ = try EventDecoder.decodeEvent(unknown) } catch {
            #expect(error.code == .unknownType)
            #expect(
                error.description.hasPrefix("type: unknown event type \"freeze_order\"; known types: freeze_request, "))
        }
        let future = edit("freeze_request/normal-minimal-fields.json") { $0["version"] = 2 }
        do { _ = try EventDecoder.decodePoliceMessage(future) } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.description == "version: unsupported schema version 2 for freeze_request; supported: 1")
        }
        let missing = edit("freeze_request/normal-minimal-fields.json") { $0["type"] = nil }
        do { _ = try EventDecoder.decodePoliceMessage(missing) } catch {
            #expect(error.path == "type")
            #expect(error.code == .schemaViolation)
        }
    }

    @Test("Unknown extra fields are tolerated at every level and dropped on re-encoding")
    func forwardCompatibility() throws {
        let bytes = edit("freeze_request/normal-minimal-fields.json") { object in
            object["added_in_v1_1"] = ["nested": [1, 2, 3]]
            var account = object["account"] as! [String: Any]
            account["bank_hint"] = "forte"
            object["account"] = account
        }
        let message = try EventDecoder.decodePoliceMessage(bytes)
        guard case .request(let request) = message else {
            Issue.record("not a request")
            return
        }
        let encoded = String(decoding: try EventEncoder.encode(request), as: UTF8.self)
        #expect(!encoded.contains("added_in_v1_1") && !encoded.contains("bank_hint"))
        #expect(
            request.contentFingerprint
                == (try EventDecoder.decode(
                    FreezeRequest.self, from: example("freeze_request/normal-minimal-fields.json"))).contentFingerprint)
    }

    @Test("Explicit null for an optional field is refused: the schema does not allow it either")
    func nullOptional() {
        let bytes = edit("freeze_request/urgent-card-fraud-kaspi.json") { $0["requested_hold_hours"] = NSNull() }
        #expect(
            throws: ContractError(
                code: .schemaViolation, path: "requested_hold_hours",
                reason: "must not be null; leave the field out instead")
        ) {
            try EventDecoder.decodePoliceMessage(bytes)
        }
    }

    @Test("Whole-document failures carry no path")
    func documentLevel() {
        for text in ["[]", "null", "\"freeze_request\"", "{\"type\":"] {
            do {
                _ = try EventDecoder.decodeEvent(Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.path == nil, "\(text): \(error)")
            }
        }
        let huge = [UInt8](repeating: 0x20, count: EventDecoder.maxInputBytes + 1)
        #expect(
            throws: ContractError(
                code: .tooLarge, path: nil,
                reason: "message has \(huge.count) bytes; the limit is \(EventDecoder.maxInputBytes)")
        ) {
            try EventDecoder.decodeEvent(huge)
        }
    }

    @Test("Integers: 1.0 counts as 1 (as in JSON Schema); 1.5, huge and boolean values do not")
    func integers() throws {
        #expect(throws: Never.self) {
            try EventDecoder.decodePoliceMessage(
                edit("freeze_request/normal-minimal-fields.json") { $0["version"] = 1.0 })
        }
        for value: Any in [1.5, true, "1", Double(1e30)] {
            let bytes = edit("freeze_request/normal-minimal-fields.json") { $0["version"] = value }
            #expect(throws: ContractError.self, "\(value)") { try EventDecoder.decodePoliceMessage(bytes) }
        }
    }

    @Test("Dead letter reasons come straight from decoding errors")
    func deadLetterReason() {
        let error = ContractError(code: .schemaViolation, path: "account.iban", reason: "check digits do not match")
        let reason = DeadLetter.Reason(error)
        #expect(reason.code == .schemaViolation)
        #expect(reason.path == "account.iban")
        #expect(reason.message == "account.iban: check digits do not match")
        for code in ContractError.Code.allCases { #expect(DeadLetterCode(code).rawValue == code.rawValue) }
    }
}
