import ArgumentParser
import ConfigurationFile
import Contracts
import Ledger
import Relay

/// `freeze-relay cases`: the cases in the ledger at a glance, newest first.
struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "List the cases in the ledger, newest first (read-only; safe while the daemon runs).",
        discussion: """
            Filters combine: --overdue (a request missed its acknowledge or freeze deadline), \
            --bank (a request was routed to it), --state (a request is in it), --since (the case's \
            first request came at or after it). Exit status: 0, 2 for a bad value, 3 when there is \
            no ledger, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Only cases with a request past its acknowledge or freeze deadline.")
    var overdue = false

    @Option(help: "Only cases with a request routed to this bank (its id, e.g. halyk).")
    var bank: String?

    @Option(help: ArgumentHelp("Only cases with a request in this state.", valueName: "state"))
    var state: String?

    @Option(
        help: ArgumentHelp(
            "Only cases first received at or after this time: RFC 3339, or a duration back from now such as 24h or 7d.",
            valueName: "time"))
    var since: String?

    @Option(help: "At most this many cases (the newest).")
    var limit = "100"

    @Option(help: "table or json.")
    var format = "table"

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    /// The report as printed: reads the ledger, then renders.
    func output() throws -> String {
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.table, .json])
        let now = try OperatorArguments.now(nowText)
        let limit = try OperatorArguments.count(limit, flag: "--limit")
        let state = try state.map { text in
            try OperatorArguments.choice(text, flag: "--state", allowed: RequestState.allCases)
        }
        let since = try since.map { try OperatorArguments.instant($0, flag: "--since", now: now) }
        let configuration = try options.load()
        let reader = try OperatorLedger.openReader(at: configuration.ledger.path)
        defer { reader.close() }
        do {
            let bank = try bank.map { try Self.bank($0, configuration: configuration, reader: reader, now: now) }
            let filter = CaseFilter(
                overdueOnly: overdue, bank: bank, state: state, since: since, limit: limit, now: now)
            let report = CasesReport(cases: try reader.cases(filter: filter), now: now, limit: limit)
            return format == .json ? report.json() : report.table()
        } catch {
            throw OperatorLedger.failure(reading: error)
        }
    }

    /// A bank the routing table or the ledger knows; otherwise a usage failure naming them.
    /// Banks only the ledger knows (removed from the table since) still have cases to list.
    static func bank(_ text: String, configuration: RelayConfiguration, reader: LedgerReader, now: Timestamp) throws
        -> BankID
    {
        var known = Set(configuration.banks.map(\.id))
        if !known.contains(text) {
            known.formUnion(try reader.bankStatistics(now: now).map(\.bankID.rawValue))
        }
        guard known.contains(text), let bank = try? BankID(text) else {
            let list =
                known.isEmpty
                ? "none (the configuration lists no bank and the ledger routed no request)"
                : known.sorted().joined(separator: ", ")
            throw OperatorArguments.usage("--bank \(text): unknown bank; known banks: \(list)")
        }
        return bank
    }
}
