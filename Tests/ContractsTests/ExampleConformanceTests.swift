import Contracts
import Foundation
import Testing

/// Every example under `schemas/examples` is judged the same way by the Swift decoder and by
/// Python `jsonschema`: valid ones are accepted by both, invalid ones refused by both at the same field.
@Suite("Schema examples: Swift and jsonschema agree")
struct ExampleConformanceTests {
    static let valid = TestFiles.examples("valid")
    static let invalid = TestFiles.examples("invalid")

    @Test("There are several examples of every event type, valid and invalid")
    func examplesExistForEveryType() {
        for type in EventType.allCases {
            #expect(Self.valid.filter { $0.type == type.rawValue }.count >= 2, "no valid example for \(type.rawValue)")
            #expect(
                Self.invalid.filter { $0.type == type.rawValue }.count >= 2,
                "too few invalid examples for \(type.rawValue)")
        }
        #expect(Self.valid.count >= 30)
        #expect(Self.invalid.count >= 60)
        // Every invalid example names the field that is wrong, and every entry has a file.
        #expect(Set(Self.invalid.map(\.key)) == Set(TestFiles.expectedErrors.keys))
    }

    @Test("Valid example decodes in Swift with the daemon's entry point", arguments: valid)
    func validExampleDecodes(_ example: TestFiles.Example) throws {
        let event = try EventDecoder.decodeEvent(example.bytes)
        #expect(event.type.rawValue == example.type)
        switch event.type {
        case .freezeRequest, .freezeCancel:
            let message = try EventDecoder.decodePoliceMessage(example.bytes)
            #expect(message.requestID == event.requestID)
        case .bankResponse:
            let response = try EventDecoder.decodeBankResponse(example.bytes)
            #expect(Event.bankResponse(response) == event)
        default:
            break
        }
    }

    @Test("Valid example is valid for jsonschema", arguments: valid)
    func validExamplePassesJSONSchema(_ example: TestFiles.Example) throws {
        let report = try PythonValidator.exampleReport.get()
        let result = try #require(report["valid/\(example.key)"], "jsonschema did not report on \(example.key)")
        #expect(result.valid, "jsonschema refused \(example.key): \(result.messages)")
    }

    @Test("Invalid example is refused by Swift and jsonschema at the expected field", arguments: invalid)
    func invalidExampleRefusedAtSameField(_ example: TestFiles.Example) throws {
        let expectedPath = try #require(TestFiles.expectedErrors[example.key], "no expected path for \(example.key)")
        do {
            let event = try EventDecoder.decodeEvent(example.bytes)
            Issue.record("Swift accepted \(example.key) as \(event.type.rawValue)")
        } catch {
            #expect((error.path ?? "") == expectedPath, "Swift: \(error)")
            #expect(error.description.hasPrefix(expectedPath.isEmpty ? "" : "\(expectedPath): "))
        }
        let report = try PythonValidator.exampleReport.get()
        let result = try #require(report["invalid/\(example.key)"], "jsonschema did not report on \(example.key)")
        #expect(!result.valid, "jsonschema accepted \(example.key)")
        #expect(
            result.paths.contains(expectedPath),
            "jsonschema refused at \(result.paths), expected \(expectedPath): \(result.messages)")
    }

    @Test("Error messages read like 'account.iban: check digits do not match'")
    func preciseMessage() throws {
        let example = try #require(
            Self.invalid.first { $0.key == "freeze_request/iban-check-digits-do-not-match.json" })
        #expect(
            throws: ContractError(code: .schemaViolation, path: "account.iban", reason: "check digits do not match")
        ) {
            try EventDecoder.decodePoliceMessage(example.bytes)
        }
        let money = try #require(Self.invalid.first { $0.key == "bank_response/transfer-amount-negative.json" })
        do {
            _ = try EventDecoder.decodeBankResponse(money.bytes)
        } catch {
            #expect(error.path == "onward_transfers[2].amount.value")
            #expect(error.code == .schemaViolation)
        }
    }
}
