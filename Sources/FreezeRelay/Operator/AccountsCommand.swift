import ArgumentParser
import Contracts
import Foundation
import Ledger

/// `freeze-relay accounts --seen-in-cases N`: accounts several police cases named (mule accounts).
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "List accounts named in several police cases: likely mule accounts (read-only).",
        discussion: """
            Every request the ledger holds counts, at any time and in any state. Accounts are \
            masked to their last four characters; follow a row with freeze-relay case <case_id>. \
            Exit status: 0, 2 for a bad value, 3 when there is no ledger, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("seen-in-cases"), help: "List accounts named in at least this many cases.")
    var seenInCases = "2"

    @Option(help: "List at most this many accounts (most cases first).")
    var limit = "100"

    @Option(help: "table or json.")
    var format = "table"

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    /// The report as printed: reads the accounts, then renders.
    func output() throws -> String {
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.table, .json])
        let minimum = try OperatorArguments.count(seenInCases, flag: "--seen-in-cases")
        let limit = try OperatorArguments.count(limit, flag: "--limit")
        let reader = try OperatorLedger.openReader(at: try options.ledgerPath())
        defer { reader.close() }
        let accounts: [AccountSeenInCases]
        do { accounts = try reader.accountsSeenInCases(minimumCases: minimum, limit: limit) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        let report = AccountsReport(accounts: accounts, minimumCases: minimum)
        return format == .json ? report.json() : report.table()
    }
}

/// `freeze-relay accounts` as a table or JSON. Pure.
struct AccountsReport {
    let accounts: [AccountSeenInCases]
    let minimumCases: Int

    func table() -> String {
        var table = TextTable([
            .init("ACCOUNT"), .init("CASES", .right), .init("REQUESTS", .right), .init("OPEN", .right),
            .init("FIRST SEEN"), .init("LAST SEEN"), .init("CASE IDS (NEWEST FIRST)"),
        ])
        for account in accounts {
            let more = account.caseCount > account.cases.count ? " …" : ""
            table.append([
                AccountMask.text(account.iban), "\(account.caseCount)", "\(account.requestCount)",
                "\(account.openRequests)", ReportText.time(account.firstSeen), ReportText.time(account.lastSeen),
                account.cases.joined(separator: " ") + more,
            ])
        }
        var lines = [table.render()]
        if accounts.isEmpty { lines.append("(no account was named in \(minimumCases) or more cases)") }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let rows: [[String: Any]] = accounts.map { account in
            [
                "account": AccountMask.text(account.iban), "cases": account.caseCount, "requests": account.requestCount,
                "open_requests": account.openRequests, "first_seen": account.firstSeen.rfc3339,
                "last_seen": account.lastSeen.rfc3339, "case_ids": account.cases,
            ]
        }
        return ReportText.jsonDocument(["seen_in_cases": minimumCases, "accounts": rows] as [String: Any])
    }
}
