import Contracts
import Foundation
import HummingbirdTesting
import Ledger
import Relay
import Testing

@testable import RelayConsole

/// What the pages show: escaped ledger text, masked accounts, the drawn trail.
@Suite struct PageTests {
    static let hostile = "<script>alert('x')</script>\"&<img src=x onerror=alert(1)>"

    @Test func hostileLedgerTextIsEscapedOnEveryPage() async throws {
        var hostileCase = chainCase(Self.hostile)
        hostileCase.escalations = [
            .init(record: escalation(1, caseID: Self.hostile, detail: Self.hostile), resolvedAt: nil, resolution: nil)
        ]
        let ledger = FixedLedger(
            escalations: [escalation(1, caseID: Self.hostile, detail: Self.hostile)],
            cases: [Self.hostile: hostileCase],
            letters: [
                DeadLetterEntry(
                    sequence: 1, eventID: "e1", createdAt: t0, sentAt: nil,
                    payload: deadLetterPayload(code: Self.hostile, message: Self.hostile, value: Self.hostile))
            ])
        let caseURI = CasePage.path(for: Self.hostile)
        try await withConsole(ledger) { client in
            for uri in ["/", caseURI, "/dead-letters", "/search?q=%3Cscript%3Enothing"] {
                try await client.execute(uri: uri, method: .get, headers: bearer) { response in
                    let page = response.text
                    #expect(!page.contains("<script>alert"), "\(uri)")
                    #expect(!page.contains("<img"), "\(uri)")
                    #expect(page.contains("&lt;script&gt;") || page.contains("&lt;img"), "\(uri)")
                }
            }
        }
        let event = BoardEvents.event(named: "board", data: BoardEvents.fragment(ledger: ledger, limit: 10))
        #expect(!event.contains("<script>alert"))
    }

    @Test func theCaseShowsMaskedAccountsNoNamesAndTheExit() async throws {
        let ledger = FixedLedger(cases: ["CASE-CHAIN": chainCase("CASE-CHAIN")])
        try await withConsole(ledger) { client in
            try await client.execute(uri: "/case?id=CASE-CHAIN", method: .get, headers: bearer) { response in
                let page = response.text
                #expect(response.status == .ok)
                #expect(page.contains("****4321") && page.contains("****3000"))
                #expect(!page.contains(rootIBAN.electronicFormat) && !page.contains(childIBAN.electronicFormat))
                #expect(!page.contains("Akhmetov"))
                #expect(page.contains("<svg class=\"trail\""))
                #expect(page.contains("class=\"node exit\""))
                #expect(page.contains("EXIT · crypto_wallet"))
                #expect(page.contains("crypto wallet TXwallet1 on TRON"))
                // stolen 900,000; frozen 400,000 at beta; exited 300,000 to the wallet.
                #expect(
                    page.contains("900000.00 KZT") && page.contains("400000.00 KZT") && page.contains("300000.00 KZT"))
                #expect(page.contains("frozen after 4 min 0 s"))
            }
            try await client.execute(uri: "/case?id=NOPE", method: .get, headers: bearer) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test func searchFindsCasesByCaseIDAndByRequestID() async throws {
        let ledger = FixedLedger(cases: ["CASE/1 ?&+": chainCase("CASE/1 ?&+")])
        try await withConsole(ledger) { client in
            let location = "/case?id=CASE%2F1%20%3F%26%2B"
            // As a browser's form sends it: the space as `+`, the `+` as `%2B`.
            try await client.execute(uri: "/search?q=CASE%2F1+%3F%26%2B", method: .get, headers: bearer) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.location] == location)
            }
            try await client.execute(uri: "/search?q=\(CanonicalUUID.string(uuid(2)))", method: .get, headers: bearer) {
                #expect($0.headers[.location] == location)
            }
            try await client.execute(uri: location, method: .get, headers: bearer) {
                #expect($0.status == .ok)
                #expect($0.text.contains("CASE/1 ?&amp;+"))
            }
            try await client.execute(uri: "/search?q=missing", method: .get, headers: bearer) {
                #expect($0.status == .notFound)
                #expect($0.text.contains("id=\"not-found\""))
            }
        }
    }

    @Test func theBoardListsOldestFirstWithCountsByBankKindAndLevel() async throws {
        let ledger = FixedLedger(escalations: [
            escalation(1, caseID: "CASE-A", bank: beta, level: 2), escalation(2, caseID: "CASE-B", bank: alpha),
            escalation(3, caseID: "CASE-C", bank: beta, level: 2),
        ])
        try await withConsole(ledger) { client in
            try await client.execute(uri: "/", method: .get, headers: bearer) { response in
                let page = response.text
                let a = try #require(page.range(of: "CASE-A")).lowerBound
                let b = try #require(page.range(of: "CASE-B")).lowerBound
                let c = try #require(page.range(of: "CASE-C")).lowerBound
                #expect(a < b && b < c)
                #expect(
                    page.contains(
                        "<td>beta</td><td>freeze_overdue</td><td class=\"num\"><span class=\"badge level-2\">2</span></td><td class=\"num\">2</td>"
                    ))
                #expect(page.contains("data-events=\"/events/board\""))
            }
        }
    }

    @Test func banksShowServiceLevels() async throws {
        let ledger = FixedLedger(banks: [
            BankStatistics(
                bankID: alpha, routed: 4, answeredInTime: 3, answeredLate: 1, slaCompliance: 0.75,
                timeToAcknowledge: LatencySummary(count: 4, median: 30, p95: 95),
                timeToFreeze: LatencySummary(count: 3, median: 600, p95: 5400), openEscalations: [.freezeOverdue: 2])
        ])
        try await withConsole(ledger) { client in
            try await client.execute(uri: "/banks", method: .get, headers: bearer) { response in
                let page = response.text
                #expect(page.contains("75.0 %"))
                #expect(page.contains("30 s") && page.contains("95 s"))
                #expect(page.contains("10 min 0 s") && page.contains("1 h 30 min"))
                #expect(page.contains("freeze_overdue: 2"))
            }
        }
    }

    @Test func deadLettersNewestFirstByCodeWithMaskedPayloadsBehindDetails() async throws {
        let original = #"{"case_id":"C1","account":{"iban":"KZ69998P000987654321","holder_name":"Dauren Akhmetov"}}"#
        let ledger = FixedLedger(letters: [
            DeadLetterEntry(
                sequence: 2, eventID: "e2", createdAt: t0, sentAt: t0,
                payload: deadLetterPayload(code: "schema_violation", message: "amount: is required", value: original)),
            DeadLetterEntry(
                sequence: 1, eventID: "e1", createdAt: t0, sentAt: nil,
                payload: deadLetterPayload(code: "invalid_json", message: "unexpected end", value: nil)),
        ])
        try await withConsole(ledger) { client in
            try await client.execute(uri: "/dead-letters", method: .get, headers: bearer) { response in
                let page = response.text
                #expect(page.contains("amount: is required") && page.contains("unexpected end"))
                let newer = try #require(page.range(of: "schema_violation</strong>"))
                let older = try #require(page.range(of: "invalid_json</strong>"))
                #expect(newer.lowerBound < older.lowerBound)
                #expect(page.contains("<details><summary>"))
                #expect(page.contains("****4321"))
                #expect(!page.contains("KZ69998P000987654321") && !page.contains("Akhmetov"))
            }
            try await client.execute(uri: "/dead-letters?code=invalid_json", method: .get, headers: bearer) {
                #expect(!$0.text.contains("amount: is required"))
                #expect($0.text.contains("unexpected end"))
            }
        }
    }

    @Test func accountsInEscalationDetailsAreMaskedToo() async throws {
        // The relay's own sentences name where money went, IBAN in full (what the CLI's case
        // command and the escalations topic carry); screens show only the last four characters.
        let detail = "chain ends (non_participating_bank): 150000.00 KZT to account KZ645550000000005005"
        var chain = chainCase("CASE-D")
        chain.escalations = [
            .init(record: escalation(1, caseID: "CASE-D", detail: detail), resolvedAt: nil, resolution: nil)
        ]
        let ledger = FixedLedger(
            escalations: [escalation(1, caseID: "CASE-D", detail: detail)], cases: ["CASE-D": chain])
        try await withConsole(ledger) { client in
            for uri in ["/", "/case?id=CASE-D"] {
                try await client.execute(uri: uri, method: .get, headers: bearer) { response in
                    #expect(!response.text.contains("KZ645550000000005005"), "\(uri)")
                    #expect(response.text.contains("to account ****5005"), "\(uri)")
                }
            }
        }
    }

    @Test func anEventIsOneFieldPerLineSoLedgerTextCannotStartAnotherEvent() {
        let event = BoardEvents.event(named: "board", data: "a\n\nevent: evil\r\ndata: x\rb")
        #expect(event == "event: board\ndata: a\ndata: \ndata: event: evil\ndata: data: x\ndata: b\n\n")
    }
}
