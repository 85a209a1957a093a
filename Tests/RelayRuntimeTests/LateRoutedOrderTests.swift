import Authenticity
import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// A signed police order whose request could not be routed when it was read reaches its bank,
/// once the routing table is fixed and `retry-unroutable` routes it, with the proof a request
/// routed at once carries.
@Suite("Signed orders routed late: retry-unroutable sends the police order's proof", .serialized)
struct LateRoutedOrderTests {
    @Test(
        "a signed order first unroutable, routed by retry-unroutable, carries the same authorization and verification as one routed at once"
    )
    func retriedOrderCarriesItsAuthorization() async throws {
        let policy = try SignedOrderTests.policy(.require)
        let harness = try Harness(policy: policy)
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let topic = policy.topics.requests

        let atOnce = freezeRequest(caseID: "CASE-L1", iban: kzIBAN(bank: alphaCode, account: 21))
        let late = freezeRequest(caseID: "CASE-L2", iban: kzIBAN(bank: outsiderCode, account: 22))
        let atOnceRecord = try SignedOrderTests.signed(
            record(atOnce, topic: topic), SignedOrderTests.almaty, "almaty-2026")
        let lateRecord = try SignedOrderTests.signed(record(late, topic: topic), SignedOrderTests.almaty, "almaty-2026")
        try await harness.publish(atOnceRecord)
        try await harness.publish(lateRecord)
        try await harness.watcher.waitFor("one routed, one unroutable") {
            !$0.routed(atOnce.requestID).isEmpty && !$0.statuses(.unroutable, for: late.requestID).isEmpty
        }
        #expect(
            try harness.count("pending_judgements") == 1, "only the request waiting to be routed keeps its judgement")

        // The operator adds the bank (SIGHUP reloads the table, issuers unchanged), then retries.
        try harness.cluster.createTopic("freeze.bank.delta.requests", partitions: 1)
        var fixed = policy
        fixed.routing =
            testPolicy(banks: [
                bank("alpha", code: alphaCode), bank("beta", code: betaCode), bank("delta", code: outsiderCode),
            ]).routing
        try daemon.reload(policy: fixed)
        #expect(try daemon.retryUnroutable() == [late.requestID])
        let seen = try await harness.watcher.waitFor("the late request routed to delta") {
            !$0.routed(late.requestID).isEmpty
        }

        let routedLate = try #require(seen.routed(late.requestID).first)
        let routedAtOnce = try #require(seen.routed(atOnce.requestID).first)
        #expect(routedLate.bankID.rawValue == "delta")
        #expect(routedLate.verification == .verified && routedLate.verificationReason == nil)
        #expect(routedLate.verification == routedAtOnce.verification)
        let authorization = try #require(routedLate.authorization)
        #expect(authorization.issuerID == "almaty" && authorization.keyID == "almaty-2026")
        #expect(authorization.order == lateRecord.value!, "the police order byte for byte")
        #expect(Array(authorization.signature.utf8) == lateRecord.headers.last?.value, "the police signature as sent")
        // The bank can check it as it checks an order routed at once: the police signature verifies over the carried order.
        #expect(
            policy.issuers.judge(
                signatures: [Array(authorization.signature.utf8)], payload: authorization.order,
                agency: late.issuer.agency, issuedAt: late.issuedAt, now: nil)
                == .verified(issuerID: "almaty", keyID: "almaty-2026"))
        #expect(
            routedAtOnce.authorization?.issuerID == authorization.issuerID
                && routedAtOnce.authorization?.keyID == authorization.keyID)

        #expect(try harness.count("pending_judgements") == 0, "routed: the judgement travelled, the ledger forgot it")
        let trail = try harness.auditDetails(of: late.requestID)
        #expect(
            trail.contains {
                $0.hasPrefix("routed to delta") && $0.hasSuffix("; ordered by issuer almaty, key almaty-2026")
            }, "\(trail)")
    }
}
