import Contracts
import Ledger

/// What `purge` prints, for the purge itself and for its dry run, as a table or as JSON. Both
/// forms say the same: the cases, and the sent dead letters past their retention per reason.
struct PurgeReport {
    var dryRun: Bool
    var closedBefore: Timestamp
    var caseIDs: [String]
    var requests: Int
    var deadLettersBefore: Timestamp
    /// Sent dead letters removed (or that would be), per reason code.
    var deadLetters: [String: Int]
    /// The purge's own counts; nil for a dry run.
    var result: PurgeResult?

    var deadLetterCount: Int { deadLetters.values.reduce(0, +) }

    /// `N sent dead letter(s) created before T`.
    var deadLetterSummary: String {
        "\(deadLetterCount) sent dead letter(s) created before \(deadLettersBefore.rfc3339)"
    }

    /// One row per reason code, sorted; nil when there are none.
    var deadLetterTable: String? {
        guard !deadLetters.isEmpty else { return nil }
        var table = TextTable([.init("DEAD LETTER REASON"), .init(dryRun ? "WOULD BE REMOVED" : "REMOVED", .right)])
        for (code, count) in deadLetters.sorted(by: { $0.key < $1.key }) { table.append([code, "\(count)"]) }
        return table.render()
    }

    func json() -> String {
        var document: [String: Any] = [
            "dry_run": dryRun, "closed_before": closedBefore.rfc3339, "cases": caseIDs, "requests": requests,
            "dead_letters": [
                "created_before": deadLettersBefore.rfc3339, "count": deadLetterCount, "by_reason": deadLetters,
            ] as [String: Any],
        ]
        if let result {
            document["deadlines"] = result.deadlines
            document["escalations"] = result.escalations
            document["responses"] = result.responses
            document["edges"] = result.edges
            document["audit_rows"] = result.auditRows
            document["published_events"] = result.outboxRows
            document["audit_entry"] = Int(result.auditSequence)
        }
        return ReportText.jsonDocument(document)
    }
}
