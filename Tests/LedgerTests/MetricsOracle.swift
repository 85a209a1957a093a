import Contracts
import Foundation
import Relay

@testable import Ledger

/// The metrics counts as schema version 7 computed them at every scrape: GROUP BY over the
/// requests, deadlines and escalations tables. The count tables of version 9 must agree with it
/// after every write.
enum MetricsOracle {
    /// The parts of a `MetricsSnapshot` the count tables replace, sorted as the snapshot sorts them.
    struct Counts: Equatable, CustomStringConvertible {
        var openRequests: [MetricsSnapshot.OpenRequests]
        var openDeadlines: Int
        var escalations: [MetricsSnapshot.Escalations]
        var answers: [MetricsSnapshot.Answers]

        var description: String {
            let requests = openRequests.map { "\($0.bankID?.rawValue ?? "-")/\($0.state.rawValue)=\($0.count)" }
            let escalations = escalations.map {
                "\($0.bankID?.rawValue ?? "-")/\($0.kind.rawValue)/\($0.level)=\($0.open)of\($0.total)"
            }
            let answers = answers.map { "\($0.bankID.rawValue)=\($0.inTime)+\($0.late)" }
            return "requests \(requests), deadlines \(openDeadlines), escalations \(escalations), answers \(answers)"
        }
    }

    /// What version 7's `metricsSnapshot` read, by its own queries (the writer's connection, so it
    /// works on a ledger of any version).
    static func counts(_ ledger: Ledger) throws -> Counts {
        try ledger.sql { db in
            let openStates = RequestState.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(
                separator: ", ")
            let openRequests = try db.query(
                """
                SELECT bank_id, state, count(*) AS n FROM requests WHERE state IN (\(openStates)) GROUP BY state, bank_id
                """
            ) { row in
                MetricsSnapshot.OpenRequests(
                    bankID: try bank(row["bank_id"]), state: RequestState(rawValue: try row["state"])!,
                    count: try row["n"])
            }
            let openDeadlines: Int = try db.scalar("SELECT count(*) FROM deadlines WHERE status = 'open'") ?? 0
            let escalations = try db.query(
                """
                SELECT bank_id, kind, level, sum(resolved_at IS NULL) AS open, count(*) AS total
                FROM escalations GROUP BY bank_id, kind, level
                """
            ) { row in
                MetricsSnapshot.Escalations(
                    bankID: try bank(row["bank_id"]), kind: EscalationKind(rawValue: try row["kind"])!,
                    level: try row["level"], open: try row["open"], total: try row["total"])
            }
            let answers = try db.query(
                """
                SELECT bank_id, sum(freeze_by IS NULL OR answered_at <= freeze_by) AS in_time, coalesce(sum(answered_at > freeze_by), 0) AS late
                FROM requests WHERE answered_at IS NOT NULL AND bank_id IS NOT NULL GROUP BY bank_id
                """
            ) { row in
                MetricsSnapshot.Answers(
                    bankID: try BankID(try row["bank_id"] as String), inTime: try row["in_time"], late: try row["late"])
            }
            return Counts(
                openRequests: openRequests.sorted {
                    ($0.bankID?.rawValue ?? "", $0.state.rawValue) < ($1.bankID?.rawValue ?? "", $1.state.rawValue)
                },
                openDeadlines: openDeadlines,
                escalations: escalations.sorted {
                    ($0.bankID?.rawValue ?? "", $0.kind.rawValue, $0.level) < (
                        $1.bankID?.rawValue ?? "", $1.kind.rawValue, $1.level
                    )
                },
                answers: answers.sorted { $0.bankID < $1.bankID })
        }
    }

    private static func bank(_ text: String?) throws -> BankID? {
        try text.map { try BankID($0) }
    }
}

extension MetricsSnapshot {
    /// The counted parts, to compare with `MetricsOracle.counts`.
    var counts: MetricsOracle.Counts {
        MetricsOracle.Counts(
            openRequests: openRequests, openDeadlines: openDeadlines, escalations: escalations, answers: answers)
    }
}
