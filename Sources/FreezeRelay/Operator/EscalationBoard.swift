import Contracts
import Foundation

/// The open escalations, as the escalations topic tells them: `escalation` events raise a row
/// (a higher level of the same escalation id updates it), `escalation_resolved` removes it.
/// Partitions the relay stopped reading (`intake_notice`) are listed too, until re-based, and the
/// latest accounts found named in other cases (`linked_account`: notices, nothing to close).
/// Pure state, no I/O, for `freeze-relay watch`.
struct EscalationBoard {
    /// One open escalation.
    struct Row: Sendable, Hashable {
        var escalationID: UUID
        var kind: EscalationKind
        var level: Int
        var bankID: BankID?
        var caseID: String?
        var requestID: UUID
        /// The deadline missed (or when a hold lapses).
        var deadline: Timestamp?
        /// When the current level was raised (the event's `raised_at`).
        var raisedAt: Timestamp
        var detail: String

        init(_ escalation: Escalation) {
            escalationID = escalation.escalationID
            kind = escalation.kind
            level = escalation.level
            bankID = escalation.bankID
            caseID = escalation.caseID
            requestID = escalation.requestID
            deadline = escalation.deadline
            raisedAt = escalation.raisedAt
            detail = escalation.detail
        }

        /// Seconds past the deadline at `now` (negative while it is still ahead); without a
        /// deadline, how long the escalation has been open at this level.
        func overdueSeconds(at now: Timestamp) -> Int64 {
            (deadline ?? raisedAt).seconds(until: now)
        }
    }

    private var open: [UUID: Row] = [:]
    /// When each escalation that left the board was resolved: an escalation event raised
    /// before that is a late re-delivery (the outbox publishes at least once) and must not
    /// bring the row back, while one raised afterwards is the problem coming back.
    private var resolvedAt: [UUID: Timestamp] = [:]
    /// Halted partitions by `<topic>/<partition>`, with the notice that halted them.
    private var halted: [String: IntakeNotice] = [:]
    /// The latest `linked_account` notices, newest first, each once.
    private(set) var recentLinks: [LinkedAccount] = []
    /// Linked-account notices shown at most.
    static let linksShown = 10

    /// Applies one event from the escalations topic and returns the open rows. Other event
    /// types, resolutions of escalations the board never saw (they were raised before it
    /// started following the topic) and stale repeats change nothing.
    @discardableResult
    mutating func apply(_ event: Event) -> [Row] {
        switch event {
        case .escalation(let escalation):
            if let resolved = resolvedAt[escalation.escalationID], escalation.raisedAt < resolved { break }
            // A repeat of a lower level than the one shown is a re-delivery, not news.
            if let current = open[escalation.escalationID], escalation.level < current.level { break }
            open[escalation.escalationID] = Row(escalation)
        case .escalationResolved(let resolution):
            if open.removeValue(forKey: resolution.escalationID) != nil {
                resolvedAt[resolution.escalationID] = resolution.resolvedAt
            }
        case .intakeNotice(let notice):
            switch notice.kind {
            case .partitionHalted:
                if halted[notice.kafkaKey].map({ $0.createdAt <= notice.createdAt }) ?? true {
                    halted[notice.kafkaKey] = notice
                }
            case .partitionRebased:
                if let halt = halted[notice.kafkaKey], halt.createdAt <= notice.createdAt {
                    halted[notice.kafkaKey] = nil
                }
            }
        case .linkedAccount(let notice):
            guard !recentLinks.contains(where: { $0.id == notice.id }) else { break }
            recentLinks.append(notice)
            recentLinks.sort { ($0.createdAt, $0.id.uuidString) > ($1.createdAt, $1.id.uuidString) }
            if recentLinks.count > Self.linksShown { recentLinks.removeLast(recentLinks.count - Self.linksShown) }
        default:
            break
        }
        return rows
    }

    /// Halted partitions, in topic and partition order.
    var haltedPartitions: [IntakeNotice] {
        halted.values.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Open escalations, longest overdue first (by deadline, or raise time without one).
    var rows: [Row] {
        open.values.sorted {
            ($0.deadline ?? $0.raisedAt, $0.escalationID.uuidString) < (
                $1.deadline ?? $1.raisedAt, $1.escalationID.uuidString
            )
        }
    }

    /// The board as a table, with overdue times judged at `now`.
    func table(now: Timestamp) -> String {
        var table = TextTable([
            .init("ESCALATION"), .init("KIND"), .init("LEVEL", .right), .init("BANK"), .init("CASE"), .init("REQUEST"),
            .init("DEADLINE"), .init("OVERDUE", .right),
        ])
        for row in rows {
            let seconds = row.overdueSeconds(at: now)
            let overdue =
                row.deadline == nil
                ? "open \(ReportText.duration(Double(max(0, seconds))))"
                : seconds >= 0
                    ? ReportText.duration(Double(seconds)) : "due in \(ReportText.duration(Double(-seconds)))"
            table.append([
                ReportText.short(row.escalationID), row.kind.rawValue, "\(row.level)", row.bankID?.rawValue ?? "-",
                row.caseID ?? "-", ReportText.short(row.requestID), ReportText.time(row.deadline), overdue,
            ])
        }
        var lines = [table.render()]
        if open.isEmpty { lines.append("(no open escalation)") }
        for notice in haltedPartitions {
            lines.append(
                "INTAKE HALTED on \(notice.topic)[\(notice.partition)] (\(notice.code?.rawValue ?? "?")) since \(ReportText.time(notice.createdAt)): nothing is read from it until re-based (freeze-relay rebase)"
            )
        }
        for notice in recentLinks {
            let cases = notice.linkedCases.map(\.caseID).joined(separator: ", ")
            let more = notice.linkedCaseCount > notice.linkedCases.count ? ", …" : ""
            lines.append(
                "LINKED ACCOUNT \(ReportText.time(notice.createdAt)): case \(notice.caseID) request \(ReportText.short(notice.requestID)) names an account \(notice.linkedCaseCount) other case(s) named: \(cases)\(more)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
