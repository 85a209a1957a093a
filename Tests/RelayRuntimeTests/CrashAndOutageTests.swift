import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

@Suite("Durability: crashes and broker outages lose nothing and do nothing twice", .serialized)
struct CrashAndOutageTests {
    @Test("a crash mid-stream loses no request, fires no deadline twice, and every re-emission keeps its id")
    func crashMidStream() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let banks = [alphaCode, betaCode, gammaCode]
        let requests = (0..<30).map { index in
            freezeRequest(caseID: "CASE-C\(index)", iban: kzIBAN(bank: banks[index % 3], account: 500 + index))
        }
        // The first ten are applied and published before the crash.
        for request in requests.prefix(10) { try await harness.publishRequest(request) }
        try await harness.watcher.waitFor("first ten routed") { seen in
            requests.prefix(10).allSatisfy { !seen.routed($0.requestID).isEmpty }
        }
        // The next twenty are in flight when the process dies.
        for request in requests.dropFirst(10) { try await harness.publishRequest(request) }
        try await harness.crash()

        // Restart: every request is routed, none twice (a re-emission would carry the same id).
        try harness.start()
        try await harness.watcher.waitFor("all 30 routed") { seen in
            requests.allSatisfy { !seen.routed($0.requestID).isEmpty }
        }
        // Die again, and stay down past every acknowledgement deadline.
        try await harness.crash()
        harness.clock.advance(by: .seconds(301))
        try harness.start()
        let seen = try await harness.watcher.waitFor("30 acknowledgement escalations fired at start-up") { seen in
            requests.allSatisfy {
                !seen.escalations(.ackOverdue, for: $0.requestID).isEmpty
                    && !seen.statuses(.routed, for: $0.requestID).isEmpty
            }
        }
        try await harness.stop()

        for request in requests {
            // Re-sent events carry the id of the first emission: one id per request, however often seen.
            #expect(
                Set(seen.routed(request.requestID).map(\.id)).count == 1, "one routed_request id for \(request.caseID)")
            #expect(Set(seen.statuses(.routed, for: request.requestID).map(\.id)).count == 1)
            let escalations = seen.escalations(.ackOverdue, for: request.requestID)
            #expect(
                Set(escalations.map(\.id)).count == 1,
                "the level-1 acknowledgement escalation of \(request.caseID) fired once")
            #expect(escalations.allSatisfy { $0.level == 1 && $0.overdueSeconds == 1 })
        }
        #expect(try harness.count("requests") == 30)
        // The audit trail records each decision once: no request was applied twice, no timer fired twice.
        #expect(try harness.count("audit", where: "old_state IS NULL AND new_state = 'routed'") == 30)
        #expect(try harness.count("audit", where: "detail LIKE 'ack_overdue escalation level 1:%'") == 30)
        #expect(try harness.count("deadlines", where: "kind = 'acknowledge' AND level = 1 AND status = 'fired'") == 30)
        #expect(try harness.count("outbox", where: "sent_at IS NULL") == 0)
        #expect(seen.deadLetters.isEmpty)
    }

    @Test("a broker outage mid-stream loses nothing, and deadlines keep firing into the outbox meanwhile")
    func brokerOutage() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let first = freezeRequest(caseID: "CASE-O1", iban: kzIBAN(bank: alphaCode, account: 11))
        try await harness.publishRequest(first)
        try await harness.watcher.waitFor("first routed") { !$0.routed(first.requestID).isEmpty }

        try harness.cluster.setBrokerDown(1)
        // While the broker is down, the acknowledgement deadline passes: the escalation is
        // decided and queued even though it cannot be published yet.
        harness.clock.advance(by: .seconds(300))
        try await eventually("escalation queued in the outbox") {
            try harness.count("outbox", where: "event_type = 'escalation' AND sent_at IS NULL") == 1
        }
        try harness.cluster.setBrokerUp(1)

        let second = freezeRequest(caseID: "CASE-O2", iban: kzIBAN(bank: betaCode, account: 12))
        try await harness.publishRequest(second)
        let seen = try await harness.watcher.waitFor("escalation and second request after the outage") {
            !$0.escalations(.ackOverdue, for: first.requestID).isEmpty && !$0.routed(second.requestID).isEmpty
        }
        #expect(seen.escalations(.ackOverdue, for: first.requestID).first?.level == 1)
        try await harness.stop()
        #expect(try harness.count("outbox", where: "sent_at IS NULL") == 0)
        #expect(try harness.count("requests") == 2)
    }
}

/// Re-checks a condition on the ledger until it holds; each check is a fresh read, and the
/// loop yields to the relay's tasks in between (it waits for the relay, not for time to pass).
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw HarnessTimeout(what: what, seen: []) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
