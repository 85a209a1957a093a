import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

@Suite("The relay end to end on the mock cluster", .serialized)
struct RelayFlowTests {
    @Test("a request is routed to its bank, acknowledged and frozen, and police hear every step")
    func routeAcknowledgeFreeze() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-100", iban: kzIBAN(bank: alphaCode, account: 42))
        try await harness.publishRequest(request)

        let routedSeen = try await harness.watcher.waitFor("routed request") {
            !$0.routed(request.requestID).isEmpty && !$0.statuses(.routed).isEmpty
        }
        let routed = try #require(routedSeen.routed(request.requestID).first)
        #expect(routed.bankID.rawValue == "alpha")
        #expect(routed.acknowledgeBy == t0.adding(.seconds(300)))
        #expect(routed.freezeBy == t0.adding(.seconds(1800)))
        // Signatures are off in this policy: the bank is told nothing was checked.
        #expect(routed.verification == .unchecked && routed.authorization == nil)
        let routedRecord = try #require(routedSeen.first { $0.event.id == routed.id })
        #expect(routedRecord.topic == "freeze.bank.alpha.requests")
        #expect(routedRecord.key == CanonicalUUID.string(request.requestID))
        #expect(
            routedRecord.headers.first { $0.name == MessageHeaders.eventID }?.stringValue
                == CanonicalUUID.string(routed.id))
        let status = try #require(routedSeen.statuses(.routed, for: request.requestID).first)
        #expect(routedSeen.first { $0.event.id == status.id }?.key == "CASE-100")

        harness.clock.advance(by: .seconds(60))
        try await harness.publishAnswer(answer(request.requestID, .acknowledged), from: "alpha")
        try await harness.publishAnswer(
            answer(request.requestID, .frozen, frozen: "250000.00", holdUntil: t0.adding(.seconds(72 * 3600))),
            from: "alpha")
        let done = try await harness.watcher.waitFor("frozen status") {
            !$0.statuses(.frozen, for: request.requestID).isEmpty
        }
        #expect(done.statuses(.acknowledged, for: request.requestID).count == 1)
        let frozen = try #require(done.statuses(.frozen, for: request.requestID).first)
        #expect(frozen.frozenAmount?.value == "250000.00")
        #expect(frozen.caseTotals?.frozen.value == "250000.00")
        // Answered in time: no escalation at all.
        #expect(done.escalations().isEmpty)
    }

    @Test("a silent bank is escalated at each level on a manual clock, and a late answer resolves it")
    func escalationLadderAndLateAnswer() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-200", iban: kzIBAN(bank: betaCode, account: 7))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }

        // Just before the acknowledgement deadline nothing fires; at it, level 1.
        harness.clock.advance(by: .seconds(299))
        harness.clock.advance(by: .seconds(1))
        let level1 = try await harness.watcher.waitFor("ack level 1, escalation and status") {
            !$0.escalations(.ackOverdue, for: request.requestID).isEmpty
                && !$0.statuses(.escalated, for: request.requestID).isEmpty
        }
        let first = try #require(level1.escalations(.ackOverdue, for: request.requestID).first)
        #expect(first.level == 1 && first.overdueSeconds == 0 && first.bankID?.rawValue == "beta")
        #expect(first.contact?.email == "fraud@beta.example")
        #expect(level1.statuses(.escalated, for: request.requestID).first?.escalation?.level == 1)

        // +15 min after the deadline: level 2, same escalation id.
        harness.clock.advance(by: .seconds(15 * 60))
        let level2 = try await harness.watcher.waitFor("ack level 2") {
            $0.escalations(.ackOverdue, for: request.requestID).contains { $0.level == 2 }
        }
        let second = try #require(level2.escalations(.ackOverdue, for: request.requestID).first { $0.level == 2 })
        #expect(second.escalationID == first.escalationID)
        #expect(second.overdueSeconds == 15 * 60)
        // The freeze deadline (30 min) passed too by now at +20 min? No: 5 + 15 = 20 min < 30.
        #expect(level2.escalations(.freezeOverdue, for: request.requestID).isEmpty)

        // The bank finally answers: both open escalations of the request are resolved.
        harness.clock.advance(by: .seconds(11 * 60))  // 31 min after routing: freeze deadline missed too
        try await harness.watcher.waitFor("freeze level 1") {
            !$0.escalations(.freezeOverdue, for: request.requestID).isEmpty
        }
        try await harness.publishAnswer(answer(request.requestID, .frozen, frozen: "100000.00"), from: "beta")
        let resolved = try await harness.watcher.waitFor("resolutions") {
            $0.resolutions.filter { $0.requestID == request.requestID }.count >= 2
        }
        let resolutions = resolved.resolutions.filter { $0.requestID == request.requestID }
        #expect(Set(resolutions.map(\.escalationID)).count == 2)
        #expect(resolutions.allSatisfy { $0.resolution == .answered })

        // Later levels never fire once answered: the 60-minute level of the ack deadline is due at
        // +65 min; the relay has no open timers for this request left.
        harness.clock.advance(by: .seconds(2 * 3600))
        try await harness.stop()
        let open = try harness.openDeadlines(of: request.requestID)
        #expect(open.isEmpty)
        let everything = harness.watcher.all
        #expect(everything.escalations(.ackOverdue, for: request.requestID).map(\.level).sorted() == [1, 2])
    }

    @Test("bad input is dead-lettered with a precise reason and never stops good input")
    func deadLetters() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let requests = harness.policy.topics.requests
        try await harness.publish(
            OutgoingMessage(topic: requests, key: Array("k".utf8), value: [0xFF, 0xFE, 0x00, 0x7B]))
        var broken = freezeRequest(caseID: "CASE-300", iban: kzIBAN(bank: alphaCode, account: 1))
        let good = freezeRequest(caseID: "CASE-301", iban: kzIBAN(bank: alphaCode, account: 2))
        // Wrong key: keyed by case, not by request id.
        try await harness.publish(record(good, topic: requests, key: "CASE-301"))
        // A schema violation: amount with a float-ish exponent.
        let json = String(decoding: try EventEncoder.encode(broken), as: UTF8.self).replacingOccurrences(
            of: "\"250000.00\"", with: "\"2.5e5\"")
        try await harness.publish(
            OutgoingMessage(
                topic: requests, key: Array(CanonicalUUID.string(broken.requestID).utf8), value: Array(json.utf8)))
        broken.requestID = UUID()
        try await harness.publishRequest(good)

        let seen = try await harness.watcher.waitFor("3 dead letters and the good request") {
            $0.deadLetters.count >= 3 && !$0.routed(good.requestID).isEmpty
        }
        let codes = Set(seen.deadLetters.map(\.reason.code))
        #expect(codes == [.invalidJSON, .keyMismatch, .schemaViolation])
        let schema = try #require(seen.deadLetters.first { $0.reason.code == .schemaViolation })
        #expect(schema.reason.path == "amount.value")
        #expect(schema.source.topic == requests)
        #expect(schema.value.map { String(decoding: $0, as: UTF8.self) } == json)
        let garbage = try #require(seen.deadLetters.first { $0.reason.code == .invalidJSON })
        #expect(garbage.value == [0xFF, 0xFE, 0x00, 0x7B])
    }

    @Test("an answer about another bank's request is refused, audited and escalated, and changes nothing")
    func foreignAnswer() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-400", iban: kzIBAN(bank: alphaCode, account: 9))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        // Beta claims to have frozen alpha's account.
        try await harness.publishAnswer(answer(request.requestID, .frozen, frozen: "1.00"), from: "beta")
        let seen = try await harness.watcher.waitFor("foreign response") {
            !$0.escalations(.foreignResponse).isEmpty && !$0.deadLetters.isEmpty
        }
        #expect(seen.deadLetters.first?.reason.code == .foreignResponse)
        #expect(seen.escalations(.foreignResponse).first?.bankID?.rawValue == "beta")
        #expect(seen.statuses(.frozen).isEmpty)
        try await harness.stop()
        #expect(try harness.requestState(request.requestID) == .routed)
        #expect(try harness.securityAuditCount() == 1)
    }
    @Test(
        "an answer about a request the relay never received is unknown_request: dead-lettered, counted and logged as a warning, no escalation, no security audit"
    )
    func unknownAnswer() async throws {
        let lines = LogLines()
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start(logger: lines.logger())
        let unknown = UUID()
        try await harness.publishAnswer(answer(unknown, .frozen, frozen: "1.00"), from: "alpha")
        let seen = try await harness.watcher.waitFor("dead letter") { !$0.deadLetters.isEmpty }
        let letter = try #require(seen.deadLetters.first)
        #expect(letter.reason.code == .unknownRequest && letter.reason.path == "request_id")
        #expect(letter.source.topic == "freeze.bank.alpha.responses")
        #expect(
            letter.reason.message.contains("request \(CanonicalUUID.string(unknown)), which the relay does not know"))
        try await eventually("refusal counted") {
            daemon.metricsText().contains(
                #"freeze_relay_records_dead_lettered_total{code="unknown_request",topic="freeze.bank.alpha.responses"} 1"#
            )
                || daemon.metricsText().contains(
                    #"freeze_relay_records_dead_lettered_total{topic="freeze.bank.alpha.responses",code="unknown_request"} 1"#
                )
        }
        try await harness.stop()
        #expect(harness.watcher.all.escalations().isEmpty)
        #expect(try harness.securityAuditCount() == 0)
        #expect(
            try harness.count("audit", where: "request_id = '\(CanonicalUUID.string(unknown))' AND bank_id = 'alpha'")
                == 1)
        let warning = lines.all.filter { $0.contains("dead_letter=unknown_request") }
        #expect(
            warning.count == 1
                && warning.allSatisfy { $0.contains("level=warning") && $0.contains("outcome=answer_unknown") })
        #expect(!lines.all.contains { $0.contains("SECURITY") })
    }
}
