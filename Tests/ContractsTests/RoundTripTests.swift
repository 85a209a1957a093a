import Contracts
import Foundation
import Testing

/// What Swift encodes is valid for jsonschema, decodes back to the same value, and is byte-stable.
@Suite("Round trip")
struct RoundTripTests {
    @Test("Every sample event built in Swift encodes to bytes jsonschema accepts")
    func samplesValidateWithJSONSchema() throws {
        let events = SampleEvents.all
        let encoded = try events.map { try EventEncoder.encode($0) }
        let results = try PythonValidator.validate(documents: encoded)
        #expect(results.count == events.count)
        for (event, result) in zip(events, results) {
            #expect(result.valid, "\(event.type.rawValue) \(event.id): \(result.messages)")
        }
        // All statuses and kinds are covered.
        #expect(Set(events.map(\.type)) == Set(EventType.allCases))
        #expect(
            events.count >= 10 + BankResponseStatus.allCases.count + StatusKind.allCases.count
                + EscalationKind.allCases.count - 3)
    }

    @Test("Every re-encoded valid example is accepted by jsonschema")
    func reencodedExamplesValidateWithJSONSchema() throws {
        let examples = TestFiles.examples("valid")
        let encoded = try examples.map { try EventEncoder.encode(try EventDecoder.decodeEvent($0.bytes)) }
        let results = try PythonValidator.validate(documents: encoded)
        for (example, result) in zip(examples, results) {
            #expect(result.valid, "\(example.key): \(result.messages)")
        }
    }

    @Test("decode(encode(event)) == event, and encoding is deterministic", arguments: SampleEvents.all)
    func decodeEncodeIdentity(_ event: Event) throws {
        let bytes = try EventEncoder.encode(event)
        let decoded = try EventDecoder.decodeEvent(bytes)
        #expect(decoded == event)
        #expect(try EventEncoder.encode(decoded) == bytes)
    }

    @Test("Valid examples re-encode to a fixed point")
    func examplesReachFixedPoint() throws {
        for example in TestFiles.examples("valid") {
            let first = try EventEncoder.encode(try EventDecoder.decodeEvent(example.bytes))
            let second = try EventEncoder.encode(try EventDecoder.decodeEvent(first))
            #expect(first == second, "\(example.key)")
        }
    }

    @Test("Encoding is canonical: sorted keys, no whitespace, unescaped slash, canonical money and time")
    func canonicalForm() throws {
        let text = String(decoding: try EventEncoder.encode(SampleEvents.request), as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"account":{"holder_name":"Ержан Сапаров","iban":"KZ84722C000012345678","national_id":"900101300123"},"amount":{"currency":"KZT","value":"1250000.00"},"case_id":"#
            ))
        #expect(text.contains(#""created_at":"2024-05-14T09:12:03.500Z""#))
        #expect(text.contains(#""description":"call \"bank security\"\n/ slash""#))
        #expect(!text.contains(" \"") && !text.contains("\\/"))
        #expect(text.contains(#""type":"freeze_request","version":1}"#))
    }

    @Test("The encoder refuses models holding values the schema forbids, naming the field")
    func encoderValidates() throws {
        var request = SampleEvents.request
        request.caseID = String(repeating: "x", count: 65)
        #expect(throws: ContractError.self) { try EventEncoder.encode(request) }
        do { _ = try EventEncoder.encode(request) } catch { #expect(error.path == "case_id") }

        var response = SampleEvents.response(.acknowledged)
        response.frozenAmount = SampleEvents.kzt("1")
        do {
            _ = try EventEncoder.encode(response)
            Issue.record("accepted")
        } catch { #expect(error.path == "frozen_amount") }

        let zero = try Money.zero("KZT")
        var transfer = SampleEvents.response(.fundsMoved)
        transfer.onwardTransfers[1].amount = zero
        do {
            _ = try EventEncoder.encode(transfer)
            Issue.record("accepted")
        } catch { #expect(error.path == "onward_transfers[1].amount.value") }
    }

    @Test("Models also work through Foundation's JSONEncoder and JSONDecoder")
    func codableInterop() throws {
        for event in SampleEvents.all {
            guard case .bankResponse(let response) = event else { continue }
            let data = try JSONEncoder().encode(response)
            let back = try JSONDecoder().decode(BankResponse.self, from: data)
            #expect(back == response)
        }
        let data = try JSONEncoder().encode(SampleEvents.request)
        #expect(try JSONDecoder().decode(FreezeRequest.self, from: data) == SampleEvents.request)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FreezeCancel.self, from: data) }
    }
}
