import Contracts
import Ledger
import Relay

/// What `purge` would remove, worked out with read-only queries for `purge --dry-run`.
///
/// `Ledger.purge` removes the cases all of whose requests are closed, the last before the
/// cutoff. The same rule is applied here to the public reads: `cases(filter:)` narrows to the
/// cases whose requests are all in final states (a request is closed exactly when it reaches
/// a final state), then each one's requests are read to compare their closing times.
enum PurgePlan {
    /// A case the purge would remove.
    struct Candidate: Sendable, Hashable {
        var caseID: String
        var requests: Int
        var lastClosedAt: Timestamp
        var escalations: Int
        var auditRows: Int
    }

    /// The cases a purge with this cutoff would remove, sorted by case id (as `purge` reports them).
    static func candidates(_ reader: LedgerReader, closedBefore cutoff: Timestamp) throws -> [Candidate] {
        let all = try reader.cases(filter: CaseFilter(limit: Int.max, now: cutoff))
        var candidates: [Candidate] = []
        for summary in all where summary.stateCounts.keys.allSatisfy(\.isFinal) {
            guard let detail = try reader.caseDetail(summary.caseID) else { continue }
            let closed = detail.requests.compactMap(\.closedAt)
            guard !detail.requests.isEmpty, closed.count == detail.requests.count, let last = closed.max(),
                last < cutoff
            else { continue }
            candidates.append(
                Candidate(
                    caseID: summary.caseID, requests: detail.requests.count, lastClosedAt: last,
                    escalations: detail.escalations.count, auditRows: detail.audit.count))
        }
        return candidates.sorted { $0.caseID < $1.caseID }
    }

    /// The dry run's report: the cases, then the dead letters past their retention.
    static func text(_ candidates: [Candidate], report: PurgeReport) -> String {
        let cutoff = report.closedBefore
        var table = TextTable([
            .init("CASE"), .init("REQUESTS", .right), .init("LAST CLOSED"), .init("ESCALATIONS", .right),
            .init("AUDIT ROWS", .right),
        ])
        for candidate in candidates {
            table.append([
                candidate.caseID, "\(candidate.requests)", ReportText.time(candidate.lastClosedAt),
                "\(candidate.escalations)", "\(candidate.auditRows)",
            ])
        }
        let heading =
            "dry run: \(candidates.count) case(s) closed before \(cutoff.rfc3339) would be purged "
            + "(\(candidates.reduce(0) { $0 + $1.requests }) request(s)); nothing was written"
        let cases = candidates.isEmpty ? heading : heading + "\n" + table.render()
        let deadLetters = "dry run: \(report.deadLetterSummary) would be removed"
        return cases + "\n\n" + deadLetters + (report.deadLetterTable.map { "\n" + $0 } ?? "")
    }
}
