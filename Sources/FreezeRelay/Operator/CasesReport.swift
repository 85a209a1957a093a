import Contracts
import Ledger
import Relay

/// `freeze-relay cases` as text: a pure function of the listed cases, so tests can assert on
/// exactly what an operator sees.
struct CasesReport {
    let cases: [CaseSummary]
    /// The time "overdue" was judged at.
    let now: Timestamp
    /// The limit the list was cut at, to say when more cases may exist.
    let limit: Int

    func table() -> String {
        var table = TextTable([
            .init("CASE"), .init("REQUESTS", .right), .init("MAX HOP", .right), .init("BANKS"), .init("STATES"),
            .init("FIRST RECEIVED"), .init("OPEN ESC", .right), .init("OVERDUE"), .init("REPORTED"), .init("FROZEN"),
        ])
        for summary in cases {
            table.append([
                summary.caseID, "\(summary.requestCount)", "\(summary.maxHop)",
                summary.banks.isEmpty ? "-" : summary.banks.map(\.rawValue).joined(separator: ","),
                Self.states(summary.stateCounts), ReportText.time(summary.firstReceivedAt),
                "\(summary.openEscalations)",
                summary.isOverdue ? "OVERDUE" : "-", ReportText.amounts(summary.reportedAmounts),
                ReportText.amounts(summary.frozenAmounts),
            ])
        }
        var lines = [table.render()]
        if cases.isEmpty { lines.append("(no case matches)") }
        let overdue = cases.filter(\.isOverdue).count
        lines.append(
            "\(cases.count) case(s), \(overdue) overdue, judged at \(ReportText.time(now))"
                + (cases.count == limit ? "; the newest \(limit) shown, raise --limit to see more" : ""))
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        let rows: [[String: Any]] = cases.map { summary in
            [
                "case_id": summary.caseID,
                "requests": summary.requestCount,
                "max_hop": summary.maxHop,
                "banks": summary.banks.map(\.rawValue),
                "states": Dictionary(uniqueKeysWithValues: summary.stateCounts.map { ($0.key.rawValue, $0.value) }),
                "first_received_at": summary.firstReceivedAt.rfc3339,
                "last_updated_at": summary.lastUpdatedAt.rfc3339,
                "open_escalations": summary.openEscalations,
                "overdue": summary.isOverdue,
                "reported": summary.reportedAmounts.map(ReportText.json),
                "frozen": summary.frozenAmounts.map(ReportText.json),
            ]
        }
        return ReportText.jsonDocument(
            ["judged_at": now.rfc3339, "limit": limit, "count": cases.count, "cases": rows] as [String: Any])
    }

    /// `routed:2 frozen:1`, in the order requests move through states.
    static func states(_ counts: [RequestState: Int]) -> String {
        RequestState.allCases.compactMap { state in counts[state].map { "\(state.rawValue):\($0)" } }.joined(
            separator: " ")
    }
}
