import Contracts
import Foundation
import Testing

@Suite("Routing directory")
struct RoutingDirectoryTests {
    private func bank(_ name: String) -> BankID { try! BankID(name) }

    private func directory() throws -> RoutingDirectory {
        try RoutingDirectory(entries: [
            .init(bankID: bank("kaspi"), ibanBankCodes: ["KZ722"], bics: ["CASPKZKA"]),
            .init(bankID: bank("halyk"), ibanBankCodes: ["KZ601"], bics: ["HSBKKZKX"]),
            .init(bankID: bank("halyk-almaty"), ibanBankCodes: [], bics: ["HSBKKZKX001"]),
            .init(bankID: bank("deutsche"), ibanBankCodes: ["DE37040044"], bics: []),
        ])
    }

    @Test("IBAN → bank code → bank id")
    func ibanLookup() throws {
        let routing = try directory()
        #expect(routing.bankID(for: try IBAN("KZ84722C000012345678")) == bank("kaspi"))
        #expect(routing.bankID(for: try IBAN("KZ55601A861005431201")) == bank("halyk"))
        #expect(routing.bankID(for: try IBAN("DE89370400440532013000")) == bank("deutsche"))
        #expect(routing.bankID(for: try IBAN("KZ86125KZT5004100100")) == nil)
        #expect(routing.ibanBankCodes(of: bank("kaspi")) == ["KZ722"])
    }

    @Test("BIC: 8 characters, 11 characters with fallback to the 8-character prefix, XXX = primary office")
    func bicLookup() throws {
        let routing = try directory()
        #expect(routing.bankID(for: try BIC("CASPKZKA")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("CASPKZKAXXX")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("CASPKZKA123")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("HSBKKZKX001")) == bank("halyk-almaty"))
        #expect(routing.bankID(for: try BIC("HSBKKZKX002")) == bank("halyk"))
        #expect(routing.bankID(for: try BIC("TSESKZKA")) == nil)
        let destination = IBANDestination(iban: try IBAN("KZ69998P000987654321"), bic: try BIC("CASPKZKA"))
        #expect(routing.bankID(for: destination) == bank("kaspi"))
    }

    @Test("Duplicate codes are refused, naming both banks")
    func duplicates() {
        #expect(throws: RoutingDirectoryError.duplicateIBANBankCode("KZ722", first: bank("kaspi"), second: bank("other"))) {
            try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: ["KZ722"]), .init(bankID: bank("other"), ibanBankCodes: ["KZ722"])])
        }
        #expect(throws: RoutingDirectoryError.duplicateBIC("CASPKZKA", first: bank("kaspi"), second: bank("other"))) {
            try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: [], bics: ["CASPKZKA"]),
                                           .init(bankID: bank("other"), ibanBankCodes: [], bics: ["CASPKZKAXXX"])])
        }
        #expect(throws: RoutingDirectoryError.duplicateBank(bank("kaspi"))) {
            try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: []), .init(bankID: bank("kaspi"), ibanBankCodes: [])])
        }
        let error = RoutingDirectoryError.duplicateIBANBankCode("KZ722", first: bank("kaspi"), second: bank("other"))
        #expect(error.description == "IBAN bank code KZ722 is claimed by both kaspi and other")
    }

    @Test("Malformed codes are refused")
    func malformed() {
        for code in ["KZ72", "KZ7222", "KZA22", "XX722", "722", "kz722"] {
            #expect(throws: RoutingDirectoryError.self, "\(code)") {
                try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: [code])])
            }
        }
        #expect(throws: RoutingDirectoryError.invalidBIC("CASP", bank: bank("kaspi"))) {
            try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: [], bics: ["CASP"])])
        }
    }

    @Test("Bank ids are Kafka-topic safe")
    func bankIDs() {
        for good in ["kaspi", "halyk-almaty", "bank_2", "0", String(repeating: "a", count: 32)] {
            #expect(throws: Never.self) { try BankID(good) }
        }
        for bad in ["", "Kaspi", "kaspi.kz", "-kaspi", "_x", "bank 1", String(repeating: "a", count: 33), "банк"] {
            #expect(throws: BankIDError.self, "\(bad)") { try BankID(bad) }
        }
    }
}

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
        for other in ["freeze.bank.kaspi.requests", "freeze.bank..responses", "freeze.bank.Kaspi.responses", "other.bank.kaspi.responses", "freeze.bank.a.b.responses"] {
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
        let routed = RoutedRequest(routing: request, id: DeterministicIDs.eventID(cause: request.id, kind: "routed_request"),
                                   createdAt: .now(), bankID: SampleEvents.kaspi, acknowledgeBy: .now(), freezeBy: .now())
        let headers = MessageHeaders.headers(for: routed, causationID: request.id)
        #expect(headers.map(\.name) == ["content-type", "fr-event-type", "fr-schema-version", "fr-event-id", "fr-request-id",
                                        "fr-case-id", "fr-correlation-id", "fr-causation-id"])
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
        #expect(MessageHeaders.value(named: "fr-correlation-id", in: headers) == CanonicalUUID.string(response.requestID))
        #expect(MessageHeaders.value(named: "fr-causation-id", in: headers) == nil)
        let status = SampleEvents.status(.routed)
        #expect(MessageHeaders.value(named: "fr-causation-id", in: MessageHeaders.headers(for: status)) == status.causedBy.map(CanonicalUUID.string))
        guard case .deadLetter(let letter) = SampleEvents.all.first(where: { $0.type == .deadLetter }) else { Issue.record("no dead letter"); return }
        let letterHeaders = MessageHeaders.headers(for: letter)
        #expect(MessageHeaders.value(named: "fr-request-id", in: letterHeaders) == nil)
        #expect(MessageHeaders.value(named: "fr-correlation-id", in: letterHeaders) == CanonicalUUID.string(letter.id))
    }
}

@Suite("Content fingerprint")
struct FingerprintTests {
    @Test("Resending with a new envelope id and time is the same content")
    func sameContent() {
        var resend = SampleEvents.request
        resend.id = SampleEvents.id("another-envelope")
        resend.createdAt = SampleEvents.time("2030-01-01T00:00:00Z")
        #expect(resend.contentFingerprint == SampleEvents.request.contentFingerprint)
        #expect(resend.contentFingerprint.sha1Hex.count == 40)
    }

    @Test("Any change of content changes the fingerprint")
    func differentContent() {
        var changed = SampleEvents.request
        changed.amount = SampleEvents.kzt("1250000.01")
        #expect(changed.contentFingerprint != SampleEvents.request.contentFingerprint)
        var other = SampleEvents.request
        other.account.holderName = nil
        #expect(other.contentFingerprint != SampleEvents.request.contentFingerprint)
    }

    @Test("Spelling differences that mean the same value do not matter")
    func canonicalValues() throws {
        func decode(_ amount: String, _ time: String) throws -> FreezeRequest {
            var object = try JSONSerialization.jsonObject(with: Data(try EventEncoder.encode(SampleEvents.request))) as! [String: Any]
            object["amount"] = ["value": amount, "currency": "KZT"]
            object["issued_at"] = time
            return try EventDecoder.decode(FreezeRequest.self, from: [UInt8](try JSONSerialization.data(withJSONObject: object)))
        }
        #expect(try decode("1250000", "2024-05-14T09:11:40Z").contentFingerprint == decode("1250000.0000", "2024-05-14T09:11:40.000Z").contentFingerprint)
    }

    @Test("The fingerprint excludes exactly id and created_at")
    func excludedFields() {
        let text = String(decoding: SampleEvents.request.contentFingerprint.canonicalBytes, as: UTF8.self)
        #expect(!text.contains("\"id\"") && !text.contains("created_at"))
        #expect(text.contains("\"request_id\"") && text.contains("\"type\":\"freeze_request\""))
    }
}
