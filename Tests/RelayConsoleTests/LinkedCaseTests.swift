import Contracts
import Foundation
import HummingbirdTesting
import Testing

@testable import Ledger
@testable import RelayConsole

/// The case view names other cases that named one of its accounts, and nothing else of them.
@Suite struct LinkedCaseTests {
    @Test func theCaseViewLinksToOtherCasesThatNamedItsAccounts() async throws {
        let link = CaseAccountLink(
            requestID: uuid(2), linked: LinkedCase(caseID: "OTHER <VICTIM>", requestID: uuid(77)),
            linkedReceivedAt: t0.adding(seconds: -86_400))
        let ledger = FixedLedger(cases: ["CASE-L": chainCase("CASE-L")], links: ["CASE-L": [link]])
        try await withConsole(ledger) { client in
            try await client.execute(uri: "/case?id=CASE-L", method: .get, headers: bearer) { response in
                let page = response.text
                let section = try #require(page.range(of: "<table class=\"links\">")).lowerBound
                let links = String(page[section...].prefix { $0 != "\n" })
                #expect(links.contains("<td class=\"num\">1</td><td>beta</td><td>****3000</td>"))
                #expect(links.contains("<a href=\"/case?id=OTHER%20%3CVICTIM%3E\">OTHER &lt;VICTIM&gt;</a>"))
                #expect(links.contains(CanonicalUUID.string(uuid(77))))
                #expect(links.contains("2026-03-01 09:00:00Z"))
            }
        }
        try await withConsole(FixedLedger(cases: ["CASE-L": chainCase("CASE-L")])) { client in
            try await client.execute(uri: "/case?id=CASE-L", method: .get, headers: bearer) {
                #expect($0.text.contains("No account of this case was named in another case."))
            }
        }
    }
}
