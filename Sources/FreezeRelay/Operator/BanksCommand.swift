import ArgumentParser
import Ledger

/// `freeze-relay banks`: service levels per bank.
struct BanksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "banks",
        abstract: "Show per bank how many requests it was routed, answered in time or late, and how fast (read-only).",
        discussion: """
            Answered means a final answer (frozen, partially frozen, rejected, account not found, \
            funds moved); in time means by the freeze deadline. Open overdue requests still wait \
            past their freeze deadline. Exit status: 0, 2 for a bad value, 3 when there is no ledger, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "table or json.")
    var format = "table"

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    /// The report as printed: reads the statistics, then renders.
    func output() throws -> String {
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.table, .json])
        let now = try OperatorArguments.now(nowText)
        let reader = try OperatorLedger.openReader(at: try options.ledgerPath())
        defer { reader.close() }
        let report: BanksReport
        do { report = BanksReport(banks: try reader.bankStatistics(now: now), now: now) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        return format == .json ? report.json() : report.table()
    }
}
