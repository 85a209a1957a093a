import Authenticity
import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import TestSupport
import Testing

@testable import RelayRuntime

/// Orders judged against the issuer registry, end to end on the mock cluster.
@Suite("Signed orders: only registered issuers can order a freeze", .serialized)
struct SignedOrderTests {
    static let almaty = SigningKey.generate()
    static let almatyOld = SigningKey.generate()
    static let north = SigningKey.generate(.es256)

    static func policy(_ policy: SignaturePolicy) throws -> RelayPolicy {
        var relay = testPolicy()
        relay.issuers = try IssuerRegistry(
            policy: policy,
            issuers: [
                .init(
                    id: "almaty", agencies: ["Almaty City Police"],
                    keys: [
                        .init(
                            keyID: "almaty-2026", key: almaty.publicKey,
                            notBefore: try Timestamp(parsing: "2026-01-01T00:00:00Z"),
                            notAfter: try Timestamp(parsing: "2026-12-31T23:59:59Z")),
                        .init(
                            keyID: "almaty-2025", key: almatyOld.publicKey,
                            notAfter: try Timestamp(parsing: "2026-02-01T00:00:00Z")),
                    ]),
                .init(id: "north", agencies: ["North Police"], keys: [.init(keyID: "north-1", key: north.publicKey)]),
            ], maxOrderAge: .seconds(7 * 86_400))
        return relay
    }

    /// `message` with an `fr-signature` header over its value (`over`: other bytes to sign instead).
    static func signed(_ message: OutgoingMessage, _ key: SigningKey, _ keyID: String, over: [UInt8]? = nil) throws
        -> OutgoingMessage
    {
        var copy = message
        copy.headers.append(
            KafkaHeader(
                name: DetachedJWS.headerName,
                value: Array(try DetachedJWS.sign(over ?? message.value ?? [], with: key, keyID: keyID).utf8)))
        return copy
    }

    @Test(
        "under require, a signed order is routed and every kind of forgery is refused with its reason, audited and escalated"
    )
    func requirePolicy() async throws {
        let harness = try Harness(policy: try Self.policy(.require))
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let topic = harness.policy.topics.requests
        func request(_ account: Int) -> FreezeRequest {
            freezeRequest(caseID: "CASE-\(account)", iban: kzIBAN(bank: alphaCode, account: account))
        }

        let genuine = request(1)
        let genuineRecord = record(genuine, topic: topic)
        try await harness.publish(try Self.signed(genuineRecord, Self.almaty, "almaty-2026"))

        var forged: [(FreezeRequest, OutgoingMessage, DeadLetterCode)] = []
        let wrongKey = request(2)
        forged.append(
            (
                wrongKey, try Self.signed(record(wrongKey, topic: topic), SigningKey.generate(), "almaty-2026"),
                .signatureInvalid
            ))
        let tampered = request(3)
        var tamperedRecord = try Self.signed(record(tampered, topic: topic), Self.almaty, "almaty-2026")
        tamperedRecord.value = Array(
            String(decoding: tamperedRecord.value!, as: UTF8.self).replacingOccurrences(
                of: "250000.00", with: "250000.01"
            ).utf8)
        forged.append((tampered, tamperedRecord, .signatureInvalid))
        let unknownKey = request(4)
        forged.append(
            (unknownKey, try Self.signed(record(unknownKey, topic: topic), Self.almaty, "almaty-2027"), .unknownKey))
        let expired = request(5)
        forged.append(
            (expired, try Self.signed(record(expired, topic: topic), Self.almatyOld, "almaty-2025"), .keyExpired))
        let unsigned = request(6)
        forged.append((unsigned, record(unsigned, topic: topic), .signatureMissing))
        let replayed = request(7)
        forged.append(
            (
                replayed,
                try Self.signed(record(replayed, topic: topic), Self.almaty, "almaty-2026", over: genuineRecord.value),
                .signatureInvalid
            ))
        let otherIssuer = request(8)
        forged.append(
            (otherIssuer, try Self.signed(record(otherIssuer, topic: topic), Self.north, "north-1"), .issuerNotAllowed))
        // A genuine order issued eight days before it is read: a replay (or a very late send).
        let stale = freezeRequest(
            caseID: "CASE-11", iban: kzIBAN(bank: alphaCode, account: 11), at: t0.adding(.seconds(-8 * 86_400)))
        forged.append((stale, try Self.signed(record(stale, topic: topic), Self.almaty, "almaty-2026"), .orderExpired))
        let twoSignatures = request(9)
        var twice = try Self.signed(record(twoSignatures, topic: topic), Self.almaty, "almaty-2026")
        twice.headers.append(twice.headers.last!)
        forged.append((twoSignatures, twice, .signatureInvalid))
        let nullSignature = request(10)
        var null = record(nullSignature, topic: topic)
        null.headers.append(KafkaHeader(name: DetachedJWS.headerName, value: nil))
        forged.append((nullSignature, null, .signatureInvalid))
        for (_, message, _) in forged { try await harness.publish(message) }

        // One escalation per failure code (one agency): the first forgery of each code opens it,
        // the later ones are counted on it.
        let codes = Set(forged.map(\.2))
        let seen = try await harness.watcher.waitFor("the genuine order routed and every forgery dead-lettered") {
            !$0.routed(genuine.requestID).isEmpty && $0.deadLetters.count >= forged.count
                && $0.escalations(.unauthenticatedOrder).count >= codes.count
        }
        #expect(seen.routed().map(\.requestID) == [genuine.requestID])
        // The ledger's audit trail says who ordered it.
        let trail = try harness.auditDetails(of: genuine.requestID)
        #expect(
            trail.contains {
                $0.hasPrefix("routed to alpha") && $0.hasSuffix("; ordered by issuer almaty, key almaty-2026")
            }, "\(trail)")
        for (order, _, code) in forged {
            let key = Array(CanonicalUUID.string(order.requestID).utf8)
            let letter = seen.deadLetters.first { $0.key == key }
            #expect(letter?.reason.code == code, "request \(order.caseID)")
            #expect(letter?.source.topic == topic)
            #expect(letter?.headers.contains { $0.name == DetachedJWS.headerName } == (code != .signatureMissing))
            // The requests topic has several partitions: which forgery of a code came first is not known here.
            let sameCode = forged.filter { $0.2 == code }.map(\.0)
            let escalations = sameCode.flatMap { seen.escalations(.unauthenticatedOrder, for: $0.requestID) }
            #expect(escalations.count == 1, "one escalation for \(code.rawValue)")
            let escalation = try #require(escalations.first)
            let opener = try #require(sameCode.first { $0.requestID == escalation.requestID })
            #expect(escalation.bankID == nil && escalation.caseID == opener.caseID && escalation.level == 1)
            #expect(escalation.detail.contains(code.rawValue))
            #expect(try harness.requestState(order.requestID) == nil)
        }
        #expect(try harness.securityAuditCount() == forged.count)
        #expect(
            try harness.count("escalations", where: "kind = 'unauthenticated_order' AND resolved_at IS NULL")
                == codes.count)
        #expect(
            try harness.count(
                "escalations",
                where:
                    "kind = 'unauthenticated_order' AND refusals = 5 AND security_group LIKE '% signature_invalid agency Almaty City Police'"
            ) == 1)

        // A cancel is an order too: unsigned, it is refused and the request stays routed; signed, it cancels.
        let unsignedCancel = record(cancel(genuine.requestID, caseID: genuine.caseID), topic: topic)
        try await harness.publish(unsignedCancel)
        try await harness.watcher.waitFor("unsigned cancel refused") { $0.deadLetters.count == forged.count + 1 }
        #expect(try harness.requestState(genuine.requestID) == .routed)
        try await harness.publish(
            try Self.signed(
                record(cancel(genuine.requestID, caseID: genuine.caseID), topic: topic), Self.almaty, "almaty-2026"))
        try await harness.watcher.waitFor("signed cancel applied") {
            !$0.statuses(.cancelled, for: genuine.requestID).isEmpty
        }
        #expect(try harness.requestState(genuine.requestID) == .cancelled)
    }

    @Test("under warn, an unsigned order is routed and the gap is a security audit entry, not a dead letter")
    func warnPolicy() async throws {
        let harness = try Harness(policy: try Self.policy(.warn))
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let unsigned = freezeRequest(caseID: "CASE-W1", iban: kzIBAN(bank: betaCode, account: 9))
        let signed = freezeRequest(caseID: "CASE-W2", iban: kzIBAN(bank: betaCode, account: 10))
        try await harness.publishRequest(unsigned)
        try await harness.publish(
            try Self.signed(record(signed, topic: harness.policy.topics.requests), Self.almaty, "almaty-2026"))
        let seen = try await harness.watcher.waitFor("both routed") {
            !$0.routed(unsigned.requestID).isEmpty && !$0.routed(signed.requestID).isEmpty
        }
        #expect(seen.deadLetters.isEmpty)
        // The bank is told which order the relay could not verify, and why.
        let flagged = try #require(seen.routed(unsigned.requestID).first)
        #expect(
            flagged.verification == .unverified && flagged.verificationReason == "signature_missing"
                && flagged.authorization == nil)
        let verified = try #require(seen.routed(signed.requestID).first)
        #expect(verified.verification == .verified && verified.authorization?.issuerID == "almaty")
        #expect(seen.escalations(.unauthenticatedOrder).isEmpty)
        #expect(try harness.securityAuditCount() == 1)
        let detail = try harness.securityAuditDetails().first
        #expect(detail?.contains("signature_missing") == true)
        #expect(detail?.contains("warn") == true)
        try await eventually("the unverified order counted") {
            daemon.metricsText().contains(
                #"freeze_relay_records_unverified_total{topic="freeze.requests",reason="signature_missing"} 1"#)
        }
    }

    @Test("a reload puts a new issuer key in force at once, and a removed key's orders are refused as unknown_key")
    func reloadChangesTheRegistry() async throws {
        let harness = try Harness(policy: try Self.policy(.require))
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let topic = harness.policy.topics.requests
        let rotated = SigningKey.generate()
        let before = freezeRequest(caseID: "CASE-R1", iban: kzIBAN(bank: gammaCode, account: 1))
        try await harness.publish(try Self.signed(record(before, topic: topic), rotated, "almaty-2027"))
        try await harness.watcher.waitFor("unknown key refused") {
            $0.deadLetters.contains { $0.reason.code == .unknownKey }
        }

        // The issuer rotates: the new key is registered, the 2026 key removed (as after a compromise).
        var policy = harness.policy
        policy.issuers = try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(
                    id: "almaty", agencies: ["Almaty City Police"],
                    keys: [.init(keyID: "almaty-2027", key: rotated.publicKey)])
            ])
        try daemon.reload(policy: policy)
        let after = freezeRequest(caseID: "CASE-R2", iban: kzIBAN(bank: gammaCode, account: 2))
        let old = freezeRequest(caseID: "CASE-R3", iban: kzIBAN(bank: gammaCode, account: 3))
        try await harness.publish(try Self.signed(record(after, topic: topic), rotated, "almaty-2027"))
        try await harness.publish(try Self.signed(record(old, topic: topic), Self.almaty, "almaty-2026"))
        let seen = try await harness.watcher.waitFor("new key routed, old key refused") {
            !$0.routed(after.requestID).isEmpty && $0.deadLetters.filter { $0.reason.code == .unknownKey }.count == 2
                && !$0.escalations(.unauthenticatedOrder, for: before.requestID).isEmpty
        }
        #expect(seen.routed().map(\.requestID) == [after.requestID])
        // The second unknown_key refusal of the agency is counted on the first one's escalation.
        #expect(seen.escalations(.unauthenticatedOrder).map(\.requestID) == [before.requestID])
        #expect(try harness.count("escalations", where: "kind = 'unauthenticated_order' AND refusals = 2") == 1)
    }

    @Test(
        "routed requests and cancels carry the relay's signature, which the README's Python verifier accepts; police statuses are not signed"
    )
    func relaySignsWhatItRoutes() async throws {
        let harness = try Harness(policy: try Self.policy(.require))
        defer { Task { await harness.shutdown() } }
        let relayKey = SigningKey.generate()
        try harness.start { $0.signer = try! RelaySigner(keyID: "relay-2026", key: relayKey) }
        let topic = harness.policy.topics.requests
        let request = freezeRequest(caseID: "CASE-S1", iban: kzIBAN(bank: alphaCode, account: 11))
        let order = try Self.signed(record(request, topic: topic), Self.almaty, "almaty-2026")
        try await harness.publish(order)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        let cancelOrder = try Self.signed(
            record(cancel(request.requestID, caseID: request.caseID), topic: topic), Self.almaty, "almaty-2026")
        try await harness.publish(cancelOrder)
        let seen = try await harness.watcher.waitFor("routed cancel and cancelled status") {
            $0.contains { if case .routedCancel = $0.event { true } else { false } }
                && !$0.statuses(.cancelled, for: request.requestID).isEmpty
        }
        let toBank = seen.filter { $0.topic == "freeze.bank.alpha.requests" }
        #expect(toBank.count == 2)
        // The police orders travel with them, byte for byte, with the police signature: a bank can
        // check who ordered the freeze without trusting the relay.
        let authorizations = toBank.compactMap { sent -> OrderAuthorization? in
            switch sent.event {
            case .routedRequest(let routed): routed.authorization
            case .routedCancel(let routed): routed.authorization
            default: nil
            }
        }
        #expect(authorizations.map(\.order) == [order.value!, cancelOrder.value!])
        #expect(
            toBank.allSatisfy { sent in
                switch sent.event {
                case .routedRequest(let routed): routed.verification == .verified && routed.verificationReason == nil
                case .routedCancel(let routed): routed.verification == .verified && routed.verificationReason == nil
                default: false
                }
            })
        for authorization in authorizations {
            #expect(authorization.issuerID == "almaty" && authorization.keyID == "almaty-2026")
            #expect(
                try DetachedJWS(parsing: Array(authorization.signature.utf8)).verifies(
                    authorization.order, with: Self.almaty.publicKey))
        }
        let directory = try SigningRecipe.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try relayKey.publicKey.pem.write(
            to: directory.appendingPathComponent("relay.pub"), atomically: true, encoding: .utf8)
        for (index, sent) in toBank.enumerated() {
            let header = try #require(
                sent.headers.first { $0.name == DetachedJWS.headerName }?.value, "\(sent.event.type) unsigned")
            let jws = try DetachedJWS(parsing: header)
            #expect(jws.keyID == "relay-2026" && jws.verifies(sent.value, with: relayKey.publicKey))
            try Data(sent.value).write(to: directory.appendingPathComponent("event-\(index).json"))
            try Data(header).write(to: directory.appendingPathComponent("event-\(index).sig"))
        }
        let verdicts = try SigningRecipe.run(
            "python3",
            [
                "-c",
                try SigningRecipe.python(
                    """
                    key = open("relay.pub", "rb").read()
                    print(" ".join(str(verify_order(open(f"event-{i}.json", "rb").read(), open(f"event-{i}.sig").read(), key)) for i in range(2)))
                    """),
            ], in: directory)
        #expect(verdicts == "True True")
        // What goes to police and operators is not an order: not signed.
        #expect(
            seen.filter { $0.topic == "freeze.status" }.allSatisfy { status in
                !status.headers.contains { $0.name == DetachedJWS.headerName }
            })
    }

    @Test(
        "a bank whose answers must be signed: an unsigned or foreign-signed answer is refused and escalated, a signed one applies"
    )
    func bankAnswersMustBeSigned() async throws {
        let betaKey = SigningKey.generate()
        var policy = testPolicy()
        var beta = try #require(policy.routing.profile(try BankID("beta")))
        beta.answerSigning = try IssuerRegistry(
            policy: .require,
            issuers: [.init(id: "beta", agencies: ["beta"], keys: [.init(keyID: "beta-1", key: betaKey.publicKey)])])
        policy.routing = try RoutingTable(banks: policy.routing.banks.values.map { $0.id == beta.id ? beta : $0 })
        let harness = try Harness(policy: policy)
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-B1", iban: kzIBAN(bank: betaCode, account: 5))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        let responses = harness.policy.topics.bankResponses(try BankID("beta"))

        let unsigned = answer(request.requestID, .frozen, frozen: "250000.00")
        try await harness.publish(record(unsigned, topic: responses))
        let impostor = answer(request.requestID, .frozen, frozen: "250000.00")
        try await harness.publish(try Self.signed(record(impostor, topic: responses), SigningKey.generate(), "beta-1"))
        // The escalations and the dead letters go to different topics: wait for both.
        let refused = try await harness.watcher.waitFor("both refused") {
            $0.escalations(.unauthenticatedAnswer).count == 2 && $0.deadLetters.count == 2
        }
        #expect(
            refused.deadLetters.map(\.reason.code).sorted { $0.rawValue < $1.rawValue } == [
                .signatureInvalid, .signatureMissing,
            ])
        #expect(
            refused.escalations(.unauthenticatedAnswer).allSatisfy {
                $0.bankID?.rawValue == "beta" && $0.caseID == "CASE-B1"
            })
        #expect(try harness.requestState(request.requestID) == .routed)
        #expect(refused.statuses(.frozen).isEmpty)

        let genuine = answer(request.requestID, .frozen, frozen: "250000.00")
        try await harness.publish(try Self.signed(record(genuine, topic: responses), betaKey, "beta-1"))
        try await harness.watcher.waitFor("frozen") { !$0.statuses(.frozen, for: request.requestID).isEmpty }
        #expect(try harness.requestState(request.requestID) == .frozen)
        #expect(try harness.securityAuditCount() == 2)
    }

    @Test(
        "a cancel must come from the agency that ordered the freeze; security escalations outlive a genuine cancel; oversized signed orders are refused"
    )
    func cancelsComeFromTheOrderingAgency() async throws {
        var policy = testPolicy()
        policy.issuers = try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(
                    id: "almaty", agencies: ["Almaty City Police"],
                    keys: [.init(keyID: "almaty-2026", key: Self.almaty.publicKey)]),
                // An issuer still changing over to signing: its unsigned orders pass with an audit entry.
                .init(
                    id: "north", agencies: ["North Police"], policy: .warn,
                    keys: [.init(keyID: "north-1", key: Self.north.publicKey)]),
            ])
        let harness = try Harness(policy: policy)
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let topic = harness.policy.topics.requests
        let request = freezeRequest(caseID: "CASE-C1", iban: kzIBAN(bank: alphaCode, account: 21))
        try await harness.publish(try Self.signed(record(request, topic: topic), Self.almaty, "almaty-2026"))
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }

        // Another agency's cancel, unsigned under its warn policy, and signed with its own key: both refused.
        var foreign = cancel(request.requestID, caseID: request.caseID)
        foreign.issuer = Issuer(agency: "North Police", officerID: "N-9")
        try await harness.publish(record(foreign, topic: topic))
        var foreignSigned = cancel(request.requestID, caseID: request.caseID)
        foreignSigned.issuer = Issuer(agency: "North Police", officerID: "N-9")
        try await harness.publish(try Self.signed(record(foreignSigned, topic: topic), Self.north, "north-1"))
        let refused = try await harness.watcher.waitFor("both foreign cancels refused") {
            $0.escalations(.unauthenticatedOrder, for: request.requestID).count == 1 && $0.deadLetters.count == 2
        }
        #expect(refused.deadLetters.map(\.reason.code) == [.issuerNotAllowed, .issuerNotAllowed])
        #expect(refused.deadLetters.allSatisfy { $0.reason.message.contains("only the ordering agency may cancel") })
        #expect(try harness.requestState(request.requestID) == .routed)

        // The ordering agency's cancel applies, and leaves the security escalations for operators.
        try await harness.publish(
            try Self.signed(
                record(cancel(request.requestID, caseID: request.caseID), topic: topic), Self.almaty, "almaty-2026"))
        let cancelled = try await harness.watcher.waitFor("cancelled") {
            !$0.statuses(.cancelled, for: request.requestID).isEmpty
        }
        #expect(try harness.requestState(request.requestID) == .cancelled)
        let securityIDs = Set(cancelled.escalations(.unauthenticatedOrder, for: request.requestID).map(\.escalationID))
        #expect(cancelled.resolutions.allSatisfy { !securityIDs.contains($0.escalationID) })
        // Both refusals share one escalation (same code, same agency).
        #expect(
            try harness.count(
                "escalations", where: "kind = 'unauthenticated_order' AND resolved_at IS NULL AND refusals = 2") == 1)

        // A signed order too large to travel with its proof is refused, not routed without it.
        var large = freezeRequest(caseID: "CASE-C2", iban: kzIBAN(bank: alphaCode, account: 22))
        large.legalBasis = "Decision 1"
        var bytes = try EventEncoder.encode(large)
        bytes.removeLast()
        bytes +=
            Array(#","attachment":""#.utf8)
            + Array(repeating: UInt8(ascii: "x"), count: OrderAuthorization.maxOrderBytes) + Array(#""}"#.utf8)
        var oversized = record(large, topic: topic)
        oversized.value = bytes
        try await harness.publish(try Self.signed(oversized, Self.almaty, "almaty-2026"))
        let tooLarge = try await harness.watcher.waitFor("too large refused") {
            $0.deadLetters.contains { $0.reason.code == .tooLarge }
        }
        #expect(tooLarge.routed(large.requestID).isEmpty)
    }

    @Test(
        "a burst of 150 forged orders gives 150 dead letters and audit entries but one escalation, sent at refusals 1, 10 and 100"
    )
    func forgeryFloodOpensOneEscalation() async throws {
        let harness = try Harness(policy: try Self.policy(.require))
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let burst = 150
        let orders = (1...burst).map { n in
            var order = freezeRequest(caseID: "CASE-F\(n)", iban: kzIBAN(bank: alphaCode, account: 300 + n))
            order.issuer = Issuer(agency: "Fake Police \(n)", officerID: "X-\(n)")
            return order
        }
        for order in orders { try await harness.publish(record(order, topic: harness.policy.topics.requests)) }
        let seen = try await harness.watcher.waitFor("every forgery dead-lettered and the escalation sent three times")
        {
            $0.deadLetters.count == burst && $0.escalations(.unauthenticatedOrder).count == 3
        }
        #expect(seen.deadLetters.allSatisfy { $0.reason.code == .signatureMissing })
        let sent = seen.escalations(.unauthenticatedOrder)
        #expect(Set(sent.map(\.escalationID)).count == 1, "one escalation, sent again")
        // The requests topic has several partitions, so which forgery came first is not known here.
        let opener = try #require(sent.first?.requestID)
        #expect(orders.contains { $0.requestID == opener } && sent.allSatisfy { $0.requestID == opener })
        #expect(sent.map { $0.detail.prefix(while: \.isNumber) } == ["", "10", "100"], "\(sent.map(\.detail))")
        let latest = orders.filter {
            sent.last?.detail.contains("request \(CanonicalUUID.string($0.requestID))") == true
        }
        #expect(latest.count == 1 && latest.first?.requestID != opener, "names the 100th refused request")
        #expect(try harness.securityAuditCount() == burst)
        #expect(try harness.count("escalations", where: "kind = 'unauthenticated_order'") == 1)
        #expect(try harness.count("escalations", where: "resolved_at IS NULL AND refusals = \(burst)") == 1)
        #expect(seen.routed().isEmpty)
    }
}
