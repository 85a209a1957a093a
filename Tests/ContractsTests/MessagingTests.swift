import Contracts
import Foundation
import Testing

@Suite("Topic names and headers")
struct MessagingTests {
    @Test("Default names")
    func defaults() throws {
        let topics = try TopicNames()
        let kaspi = try BankID("kaspi")
        #expect(topics.requests == "freeze.requests")
        #expect(topics.status == "freeze.status")
        #expect(topics.escalations == "freeze.escalations")
        #expect(topics.deadletter == "freeze.deadletter")
        #expect(topics.bankRequests(kaspi) == "freeze.bank.kaspi.requests")
        #expect(topics.bankResponses(kaspi) == "freeze.bank.kaspi.responses")
        #expect(topics.bankResponsesPattern == #"^freeze\.bank\.[^.]+\.responses$"#)
        #expect(topics.bankID(fromResponsesTopic: "freeze.bank.kaspi.responses") == kaspi)
        for other in [
            "freeze.bank.kaspi.requests", "freeze.bank..responses", "freeze.bank.Kaspi.responses",
            "other.bank.kaspi.responses", "freeze.bank.a.b.responses",
        ] {
            #expect(topics.bankID(fromResponsesTopic: other) == nil, "\(other)")
        }
    }

    @Test("Prefix and overrides")
    func custom() throws {
        let topics = try TopicNames(prefix: "kz.prod.freeze", overrides: [.deadletter: "ops.freeze-dlq"])
        #expect(topics.requests == "kz.prod.freeze.requests")
        #expect(topics.deadletter == "ops.freeze-dlq")
        #expect(topics.bankResponsesPattern == #"^kz\.prod\.freeze\.bank\.[^.]+\.responses$"#)
        #expect(topics.bankID(fromResponsesTopic: "kz.prod.freeze.bank.halyk.responses") == (try BankID("halyk")))
        #expect(throws: TopicNameError.invalidPrefix("bad prefix")) { try TopicNames(prefix: "bad prefix") }
        #expect(throws: TopicNameError.invalidPrefix("")) { try TopicNames(prefix: "") }
        #expect(throws: TopicNameError.invalidPrefix("freeze.")) { try TopicNames(prefix: "freeze.") }
        #expect(throws: TopicNameError.invalidOverride(.status, "a/b")) { try TopicNames(overrides: [.status: "a/b"]) }
    }

    @Test("Headers on a routed request: ids, correlation = case id, causation = the police event")
    func headersForRoutedRequest() throws {
        let request = SampleEvents.request
        let routed = RoutedRequest(
            routing: request, id: DeterministicIDs.eventID(cause: request.id, kind: "routed_request"),
            createdAt: .now(), bankID: SampleEvents.kaspi, acknowledgeBy: .now(), freezeBy: .now())
        let headers = MessageHeaders.headers(for: routed, causationID: request.id)
        #expect(
            headers.map(\.name) == [
                "content-type", "fr-event-type", "fr-schema-version", "fr-event-id", "fr-request-id",
                "fr-case-id", "fr-correlation-id", "fr-causation-id",
            ])
        #expect(MessageHeaders.value(named: "content-type", in: headers) == "application/json")
        #expect(MessageHeaders.value(named: "fr-event-type", in: headers) == "routed_request")
        #expect(MessageHeaders.value(named: "fr-schema-version", in: headers) == "1")
        #expect(MessageHeaders.value(named: "fr-event-id", in: headers) == CanonicalUUID.string(routed.id))
        #expect(MessageHeaders.value(named: "fr-request-id", in: headers) == CanonicalUUID.string(request.requestID))
        #expect(MessageHeaders.value(named: "fr-case-id", in: headers) == request.caseID)
        #expect(MessageHeaders.value(named: "fr-correlation-id", in: headers) == request.caseID)
        #expect(MessageHeaders.value(named: "fr-causation-id", in: headers) == CanonicalUUID.string(request.id))
    }

    @Test("Headers without a case fall back to the request id; status uses caused_by; dead letters have neither")
    func headerFallbacks() {
        let response = SampleEvents.response(.acknowledged)
        let headers = MessageHeaders.headers(for: response)
        #expect(MessageHeaders.value(named: "fr-case-id", in: headers) == nil)
        #expect(
            MessageHeaders.value(named: "fr-correlation-id", in: headers) == CanonicalUUID.string(response.requestID))
        #expect(MessageHeaders.value(named: "fr-causation-id", in: headers) == nil)
        let status = SampleEvents.status(.routed)
        #expect(
            MessageHeaders.value(named: "fr-causation-id", in: MessageHeaders.headers(for: status))
                == status.causedBy.map(CanonicalUUID.string))
        guard case .deadLetter(let letter) = SampleEvents.all.first(where: { $0.type == .deadLetter }) else {
            Issue.record("no dead letter")
            return
        }
        let letterHeaders = MessageHeaders.headers(for: letter)
        #expect(MessageHeaders.value(named: "fr-request-id", in: letterHeaders) == nil)
        #expect(MessageHeaders.value(named: "fr-correlation-id", in: letterHeaders) == CanonicalUUID.string(letter.id))
    }
}
