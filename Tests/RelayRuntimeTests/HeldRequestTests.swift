import Contracts
import Foundation
import Ledger
import Relay
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// Intake quotas end to end: a request over a quota is held (police told, operators escalated,
/// no bank asked); an operator's order, handed to the running daemon through the spool beside
/// the ledger, releases or refuses it.
@Suite("Held requests, end to end", .serialized)
struct HeldRequestTests {
    static func quotaPolicy() -> RelayPolicy {
        var policy = testPolicy()
        policy.quotas = IntakeQuotas(account: .init(openRequests: 1))
        return policy
    }

    @Test(
        "a second open request for one account is held; an operator releases one and refuses the other through the daemon"
    )
    func heldThenReleasedAndRefused() async throws {
        let harness = try Harness(policy: Self.quotaPolicy())
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let mule = kzIBAN(bank: alphaCode, account: 41)
        let first = freezeRequest(caseID: "CASE-Q1", iban: mule)
        let second = freezeRequest(caseID: "CASE-Q2", iban: mule)
        let third = freezeRequest(caseID: "CASE-Q3", iban: mule)
        try await harness.publishRequest(first)
        _ = try await harness.watcher.waitFor("first routed") { !$0.routed(first.requestID).isEmpty }
        try await harness.publishRequest(second)
        try await harness.publishRequest(third)
        let held = try await harness.watcher.waitFor("two held and escalated") {
            $0.statuses(.held).count == 2 && $0.escalations(.quotaExceeded).count == 2
        }
        #expect(
            held.routed(second.requestID).isEmpty && held.routed(third.requestID).isEmpty,
            "no bank hears of a held request")
        #expect(held.escalations(.quotaExceeded).allSatisfy { $0.bankID == nil })
        #expect(held.statuses(.held, for: second.requestID).first?.detail.contains("account_open_requests") == true)

        // The daemon holds the ledger's writer lock; the CLI's way in is an order left in the
        // ledger, which the daemon carries out between batches.
        let decision = OperatorDecision(operatorID: "ops-7", reason: "second victim confirmed by the unit")
        let release = OperatorOrder(
            action: .release, selection: .ids([second.requestID, first.requestID]), decision: decision, requestedAt: t0)
        let refuse = OperatorOrder(
            action: .refuse, selection: .allHeld(agency: "Some Other Police"), decision: decision, requestedAt: t0)
        let released = try await Self.carriedOut(
            try Ledger.submitOperatorOrder(release, at: harness.ledgerPath), harness: harness)
        #expect(released.error == nil)
        #expect(released.outcomes.map(\.outcome) == [.released, .notHeld])
        #expect(released.outcomes.first?.bankID == "alpha")
        let refusedNone = try await Self.carriedOut(
            try Ledger.submitOperatorOrder(refuse, at: harness.ledgerPath), harness: harness)
        #expect(refusedNone.outcomes.isEmpty && refusedNone.error == nil, "no held request names that agency")

        let after = try await harness.watcher.waitFor("second routed, its escalation closed") {
            !$0.routed(second.requestID).isEmpty && !$0.resolutions.isEmpty
        }
        #expect(after.routed(second.requestID).first?.bankID.rawValue == "alpha")
        #expect(after.resolutions.map(\.resolution) == [.closed])
        #expect(after.resolutions.first?.detail?.contains("ops-7") == true)

        // An operator may also close the third's escalation by hand (close-escalation), through the daemon too.
        let thirdEscalation = try #require(held.escalations(.quotaExceeded, for: third.requestID).first).escalationID
        let close = OperatorOrder(
            action: .closeEscalation, selection: .ids([thirdEscalation]), decision: decision, requestedAt: t0)
        let closed = try await Self.carriedOut(
            try Ledger.submitOperatorOrder(close, at: harness.ledgerPath), harness: harness)
        #expect(closed.outcomes.map(\.outcome) == [.closed] && closed.outcomes.first?.state == "quota_exceeded")
        _ = try await harness.watcher.waitFor("the escalation closed by hand") { $0.resolutions.count == 2 }

        let refuseRest = OperatorOrder(
            action: .refuse, selection: .allHeld(agency: nil), decision: decision, requestedAt: t0)
        let refusedRest = try await Self.carriedOut(
            try Ledger.submitOperatorOrder(refuseRest, at: harness.ledgerPath), harness: harness)
        #expect(refusedRest.outcomes.map(\.id) == [third.requestID])
        let refused = try await harness.watcher.waitFor("third refused") {
            !$0.statuses(.refused, for: third.requestID).isEmpty
        }
        #expect(refused.routed(third.requestID).isEmpty)
        try await harness.stop()
        let audit = try harness.auditDetails(of: third.requestID)
        #expect(try harness.requestState(third.requestID) == .refused)
        #expect(audit.last?.contains("ops-7") == true && audit.last?.contains("second victim confirmed") == true)
    }

    @Test("a stored order that is not one is answered with why and changes nothing; intake goes on")
    func unreadableOrder() async throws {
        let harness = try Harness(policy: Self.quotaPolicy())
        defer { Task { await harness.shutdown() } }
        try harness.start()
        // A row damaged by hand (the command never writes one like it): the ids are not ids.
        let sequence: Int64 = 1000
        try harness.writeLedger(
            """
            INSERT INTO operator_orders (seq, order_id, action, targets, operator, reason, requested_at)
            VALUES (\(sequence), '\(CanonicalUUID.string(UUID()))', 'refuse', 'not-an-id', 'ops-7', 'test', 0)
            """)
        let result = try await Self.carriedOut(sequence, harness: harness)
        #expect(result.error?.contains("cannot be read") == true)
        #expect(result.outcomes.isEmpty)
        let request = freezeRequest(caseID: "CASE-AFTER", iban: kzIBAN(bank: alphaCode, account: 42))
        try await harness.publishRequest(request)
        _ = try await harness.watcher.waitFor("intake goes on") { !$0.routed(request.requestID).isEmpty }
        try await harness.stop()
    }

    /// Waits for the daemon to carry out an order left in the ledger.
    static func carriedOut(_ sequence: Int64, harness: Harness) async throws -> OperatorOrderResult {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let reader = try LedgerReader.open(at: harness.ledgerPath)
            let result = try reader.operatorOrderResult(sequence)
            reader.close()
            if let result { return result }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw OperatorOrderNotCarriedOut(sequence: sequence)
    }
}

struct OperatorOrderNotCarriedOut: Error {
    let sequence: Int64
}
