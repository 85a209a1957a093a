import Contracts
import Foundation
import Ledger
import Relay
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// Two police cases name the same mule account: the daemon tells police of the second case on its
/// status (`linked_cases`) and operators on the escalations topic (`linked_account`), ids only.
@Suite("Cross-case account links, end to end", .serialized)
struct AccountLinkEndToEndTests {
    @Test("the second case naming a mule account is linked to the first, on freeze.status and freeze.escalations")
    func twoCasesShareAMuleAccount() async throws {
        var policy = testPolicy()
        policy.accountLinks = AccountLinkPolicy(window: .seconds(30 * 86_400))
        let harness = try Harness(policy: policy)
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let mule = kzIBAN(bank: alphaCode, account: 77)
        let first = freezeRequest(caseID: "CASE-L1", iban: mule)
        let second = freezeRequest(caseID: "CASE-L2", iban: mule)
        let unrelated = freezeRequest(caseID: "CASE-L3", iban: kzIBAN(bank: alphaCode, account: 78))
        try await harness.publishRequest(first)
        _ = try await harness.watcher.waitFor("first routed") { !$0.routed(first.requestID).isEmpty }
        try await harness.publishRequest(second)
        try await harness.publishRequest(unrelated)
        let seen = try await harness.watcher.waitFor("second linked, third routed") { seen in
            seen.contains { if case .linkedAccount = $0.event { true } else { false } }
                && !seen.statuses(.routed, for: unrelated.requestID).isEmpty
        }
        let status = try #require(seen.statuses(.routed, for: second.requestID).first)
        #expect(status.linkedCases == [LinkedCase(caseID: "CASE-L1", requestID: first.requestID)])
        #expect(seen.statuses(.routed, for: first.requestID).first?.linkedCases == [])
        #expect(seen.statuses(.routed, for: unrelated.requestID).first?.linkedCases == [])

        let notices = seen.compactMap { item -> (Seen, LinkedAccount)? in
            if case .linkedAccount(let notice) = item.event { (item, notice) } else { nil }
        }
        #expect(notices.count == 1)
        let (record, notice) = try #require(notices.first)
        #expect(record.topic == "freeze.escalations" && record.key == "CASE-L2")
        #expect(notice.requestID == second.requestID && notice.linkedCaseCount == 1)
        #expect(notice.linkedCases == status.linkedCases)
        // No account number and no name of either case travels with the link.
        let bytes = String(decoding: record.value, as: UTF8.self)
        #expect(!bytes.contains(mule.electronicFormat) && !bytes.contains("Test Holder"))
        #expect(seen.escalations().isEmpty, "a link is a notice, not an escalation")

        try await harness.stop()
        let audit = try harness.auditDetails(of: second.requestID)
        #expect(audit.contains { $0.hasPrefix("linked: the account was named in 1 other case(s): CASE-L1") })
    }
}
