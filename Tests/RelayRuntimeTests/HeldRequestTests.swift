import Contracts
import Foundation
import Ledger
import Relay
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

    @Test("a second open request for one account is held; an operator releases one and refuses the other through the daemon")
    func heldThenReleasedAndRefused() async throws {
        let harness = try Harness(policy: Self.quotaPolicy())
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
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
        #expect(held.routed(second.requestID).isEmpty && held.routed(third.requestID).isEmpty, "no bank hears of a held request")
        #expect(held.escalations(.quotaExceeded).allSatisfy { $0.bankID == nil })
        #expect(held.statuses(.held, for: second.requestID).first?.detail.contains("account_open_requests") == true)

        // The daemon holds the ledger; the CLI's way in is the spool beside it, then SIGUSR2.
        let spool = OperatorOrderSpool(ledgerPath: harness.ledgerPath)
        let decision = OperatorDecision(operatorID: "ops-7", reason: "second victim confirmed by the unit")
        let release = HeldRequestOrder(action: .release, selection: .requests([second.requestID, first.requestID]), decision: decision, requestedAt: t0)
        let refuse = HeldRequestOrder(action: .refuse, selection: .allHeld(agency: "Some Other Police"), decision: decision, requestedAt: t0)
        try spool.submit(release)
        try spool.submit(refuse)
        let results = daemon.applyOperatorOrders()
        #expect(results.count == 2 && results.allSatisfy { $0.error == nil })
        let released = try #require(spool.takeResult(of: release.orderID))
        #expect(released.outcomes.map(\.outcome) == ["released", "not_held"])
        #expect(released.outcomes.first?.bankID == "alpha")
        #expect(try #require(spool.takeResult(of: refuse.orderID)).outcomes.isEmpty, "no held request names that agency")
        #expect(spool.pending().isEmpty, "applied orders leave the spool")

        let after = try await harness.watcher.waitFor("second routed, its escalation closed") {
            !$0.routed(second.requestID).isEmpty && !$0.resolutions.isEmpty
        }
        #expect(after.routed(second.requestID).first?.bankID.rawValue == "alpha")
        #expect(after.resolutions.map(\.resolution) == [.closed])
        #expect(after.resolutions.first?.detail?.contains("ops-7") == true)

        let refuseRest = HeldRequestOrder(action: .refuse, selection: .allHeld(agency: nil), decision: decision, requestedAt: t0)
        try spool.submit(refuseRest)
        #expect(daemon.applyOperatorOrders().first?.outcomes.map(\.requestID) == [third.requestID])
        let refused = try await harness.watcher.waitFor("third refused") { !$0.statuses(.refused, for: third.requestID).isEmpty }
        #expect(refused.routed(third.requestID).isEmpty)
        try await harness.stop()
        let audit = try harness.auditDetails(of: third.requestID)
        #expect(try harness.requestState(third.requestID) == .refused)
        #expect(audit.last?.contains("ops-7") == true && audit.last?.contains("second victim confirmed") == true)
    }

    @Test("an order file that is not an order is answered with why, removed, and changes nothing")
    func unreadableOrder() async throws {
        let harness = try Harness(policy: Self.quotaPolicy())
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let spool = OperatorOrderSpool(ledgerPath: harness.ledgerPath)
        try FileManager.default.createDirectory(at: spool.directory, withIntermediateDirectories: true)
        let id = UUID()
        try Data("{\"action\": \"obliterate\"}".utf8).write(to: spool.directory.appendingPathComponent(id.uuidString.lowercased() + ".order.json"))
        let results = daemon.applyOperatorOrders()
        #expect(results.count == 1)
        #expect(results.first?.orderID == id)
        #expect(results.first?.error?.contains("not an operator order") == true)
        #expect(spool.pending().isEmpty)
        #expect(spool.takeResult(of: id)?.error != nil)
        try await harness.stop()
    }
}
