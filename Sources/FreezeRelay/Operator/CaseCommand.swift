import ArgumentParser
import Ledger

/// `freeze-relay case <case_id>`: one case's money trail, escalations and audit trail.
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Show one case: the chain of requests hop by hop, its escalations and its audit trail (read-only).",
        discussion: """
            --format text (default) for people, json for scripts, dot for Graphviz \
            (freeze-relay case C-1 --format dot | dot -Tsvg > case.svg). Accounts are masked to \
            their last four characters. Linked cases are other cases that named one of this \
            case's accounts, at any time the ledger still holds. Exit status: 0, 3 for an unknown case or no ledger, 2 for \
            a bad value, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: ArgumentHelp("The police case id.", valueName: "case_id"))
    var caseID: String

    @Option(help: "text, json or dot.")
    var format = "text"

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    /// The report as printed: reads the case, then renders.
    func output() throws -> String {
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.text, .json, .dot])
        let now = try OperatorArguments.now(nowText)
        let path = try options.ledgerPath()
        let reader = try OperatorLedger.openReader(at: path)
        defer { reader.close() }
        let found: CaseDetail?
        do { found = try reader.caseDetail(caseID) } catch { throw OperatorLedger.failure(reading: error) }
        guard let detail = found else {
            throw CLIFailure("no case \"\(caseID)\" in the ledger \(reader.path)", exitCode: ExitCodes.notFound)
        }
        let links: [CaseAccountLink]
        do { links = try reader.accountLinks(ofCase: caseID) } catch { throw OperatorLedger.failure(reading: error) }
        let report = CaseReport(detail: detail, now: now, links: links)
        switch format {
        case .json: return report.json()
        case .dot: return report.dot()
        default: return report.text()
        }
    }
}
