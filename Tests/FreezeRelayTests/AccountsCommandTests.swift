import Contracts
import Foundation
import Ledger
import Relay
import RelayTestSupport
import Testing

@testable import FreezeRelay

/// `freeze-relay accounts --seen-in-cases N` and the linked cases `freeze-relay case` shows, on a
/// ledger of its own: a mule account named by cases M1, M2 and M3, another account by M1 alone.
@Suite("freeze-relay accounts and linked cases")
struct AccountsCommandTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("ledger.sqlite").path }
    static let mule = 4242

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("accounts-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledger = try Ledger.open(
            at: directory.appendingPathComponent("ledger.sqlite").path,
            configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        let relay = fixtureDriver(ledger)
        try relay.receive(FixtureStory.request(id(501), "CASE-M1", bank: alphaCode, account: Self.mule, at: t0))
        try relay.receive(FixtureStory.request(id(502), "CASE-M1", bank: alphaCode, account: 7, at: at(minutes: 1)))
        try relay.receive(
            FixtureStory.request(id(503), "CASE-M2", bank: alphaCode, account: Self.mule, at: at(minutes: 2)))
        try relay.receive(
            FixtureStory.request(id(504), "CASE-M3", bank: alphaCode, account: Self.mule, at: at(minutes: 3)))
        try relay.answer(id(504), .rejected, from: alpha, reason: "no such order", at: at(minutes: 4))
    }

    func accounts(_ arguments: [String]) throws -> String {
        try AccountsCommand.parse(["--database", path] + arguments).output()
    }

    @Test("the mule account is listed with its cases, masked; an account of one case is not")
    func table() throws {
        let output = try accounts(["--seen-in-cases", "2"])
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.first == "ACCOUNT CASES REQUESTS OPEN FIRST SEEN LAST SEEN CASE IDS (NEWEST FIRST)")
        let masked = "****" + String(kzIBAN(bank: alphaCode, account: Self.mule).electronicFormat.suffix(4))
        #expect(lines.count == 3, "header, rule, one account")
        #expect(lines[2].hasPrefix("\(masked) 3 3 2 2026-03-02T09:00:00Z 2026-03-02T09:03:00Z CASE-M3 CASE-M2 CASE-M1"))
        #expect(!output.contains(kzIBAN(bank: alphaCode, account: Self.mule).electronicFormat))
        #expect(try accounts(["--seen-in-cases", "4"]).contains("(no account was named in 4 or more cases)"))
        #expect(try accounts(["--seen-in-cases", "1"]).split(separator: "\n").count == 4)
    }

    @Test("json for scripts")
    func json() throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(accounts(["--format", "json"]).utf8)) as? [String: Any])
        #expect(document["seen_in_cases"] as? Int == 2)
        let rows = try #require(document["accounts"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(
            rows.first?["cases"] as? Int == 3
                && rows.first?["case_ids"] as? [String] == ["CASE-M3", "CASE-M2", "CASE-M1"])
    }

    @Test("bad values are usage errors")
    func badValues() {
        for arguments in [["--seen-in-cases", "0"], ["--seen-in-cases", "two"], ["--limit=0"], ["--format", "dot"]] {
            #expect(throws: CLIFailure.self) { try accounts(arguments) }
        }
    }

    @Test("freeze-relay case lists the other cases that named the case's accounts")
    func caseShowsLinks() throws {
        let output = try CaseCommand.parse(["CASE-M2", "--database", path, "--now", reportNowText]).output()
        let section = try #require(
            output.components(separatedBy: "linked cases (other cases that named this case's accounts: 2):\n").last?
                .components(separatedBy: "\n\n").first)
        let rows = section.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.first == "REQUEST ACCOUNT OTHER CASE ITS REQUEST RECEIVED")
        #expect(rows.count == 4, "header, rule, two other cases")
        #expect(rows[2].contains("CASE-M3") && rows[3].contains("CASE-M1"), "newest first")
        let lone = try CaseCommand.parse(["CASE-M3", "--database", path, "--now", reportNowText, "--format", "json"])
            .output()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(lone.utf8)) as? [String: Any])
        let links = try #require(document["linked_cases"] as? [[String: Any]])
        #expect(links.compactMap { $0["case_id"] as? String } == ["CASE-M2", "CASE-M1"])
    }
}
