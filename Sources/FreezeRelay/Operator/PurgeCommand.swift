import ArgumentParser
import Contracts
import Foundation
import Ledger
import Relay

/// `freeze-relay purge`: retention for finished cases, recorded in the audit trail.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract:
            "Delete cases whose requests were all closed before a date, and old dead letters, leaving an audit note.",
        discussion: """
            Removes each such case's requests, timers, escalations, bank answers, money-flow \
            edges, audit rows and the published dead letters keyed by them, and the published dead letters older \
            than ledger.dead_letter_retention (30 days unless configured; unpublished ones stay), \
            in one transaction, and records the purge (cutoffs, counts, dead letters per reason, \
            --note) as an audit entry. Needs the ledger to itself: stop the \
            daemon first. --dry-run lists what would go without writing (and works while the \
            daemon runs). Exit status: 0, 2 for a bad value, 3 when there is no ledger, 4 while \
            the daemon holds the ledger, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(
        name: .customLong("closed-before"),
        help: ArgumentHelp(
            "Purge cases closed before this time: RFC 3339, or a duration back from now such as 90d.", valueName: "time"
        ))
    var closedBefore: String

    @Option(help: "Why (ticket, retention rule); kept in the audit entry that records the purge.")
    var note: String?

    @Flag(name: .customLong("dry-run"), help: "List what would be purged; write nothing.")
    var dryRun = false

    @Option(help: "table or json.")
    var format = "table"

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    func output() throws -> String {
        let now = try OperatorArguments.now(nowText)
        let cutoff = try OperatorArguments.instant(closedBefore, flag: "--closed-before", now: now)
        // A cutoff in the future would purge cases closed a moment ago: surely a mistake.
        guard cutoff <= now else {
            throw OperatorArguments.usage("--closed-before \(closedBefore): \(cutoff.rfc3339) is in the future")
        }
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.table, .json])
        let configuration = try options.load()
        let deadLettersBefore = now.subtracting(configuration.ledger.deadLetterRetention)
        let report: PurgeReport
        if dryRun {
            let reader = try OperatorLedger.openReader(at: configuration.ledger.path)
            defer { reader.close() }
            do {
                let candidates = try PurgePlan.candidates(reader, closedBefore: cutoff)
                report = PurgeReport(
                    dryRun: true, closedBefore: cutoff, caseIDs: candidates.map(\.caseID),
                    requests: candidates.reduce(0) { $0 + $1.requests }, deadLettersBefore: deadLettersBefore,
                    deadLetters: try reader.sentDeadLetters(createdBefore: deadLettersBefore))
                return format == .json ? report.json() : PurgePlan.text(candidates, report: report)
            } catch {
                throw OperatorLedger.failure(reading: error)
            }
        }
        let ledger: Ledger
        do {
            ledger = try OperatorLedger.openWriter(
                at: configuration.ledger.path, durability: configuration.ledger.durability)
        } catch {
            throw OperatorLedger.failure(error)
        }
        defer { ledger.close() }
        let result: PurgeResult
        do {
            result = try ledger.purge(
                closedBefore: cutoff, deadLettersBefore: deadLettersBefore, note: auditNote, at: now)
        } catch {
            throw OperatorLedger.failure(reading: error)
        }
        report = PurgeReport(
            dryRun: false, closedBefore: cutoff, caseIDs: result.caseIDs, requests: result.requests,
            deadLettersBefore: deadLettersBefore, deadLetters: result.deadLetters, result: result)
        return format == .json ? report.json() : Self.text(result, report: report)
    }

    /// The note as recorded: the operator's words and who ran the command.
    var auditNote: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown user"
        return "\(note ?? "no note given") (freeze-relay purge run by \(user))"
    }

    static func text(_ result: PurgeResult, report: PurgeReport) -> String {
        var text =
            "purged \(result.cases) case(s) closed before \(report.closedBefore.rfc3339): \(result.requests) request(s), "
            + "\(result.deadlines) timer(s), \(result.escalations) escalation(s), \(result.responses) bank answer(s), "
            + "\(result.edges) edge(s), \(result.auditRows) audit row(s), \(result.outboxRows) published dead letter(s) keyed by them; "
            + "\(report.deadLetterSummary); recorded as audit entry #\(result.auditSequence)"
        if !result.caseIDs.isEmpty { text += "\ncases: " + result.caseIDs.joined(separator: ", ") }
        if let table = report.deadLetterTable { text += "\n\n" + table }
        return text
    }
}
