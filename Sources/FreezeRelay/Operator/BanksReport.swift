import Contracts
import Foundation
import Ledger

/// `freeze-relay banks` as text: how each bank keeps its service levels. Pure.
struct BanksReport {
    let banks: [BankStatistics]
    let now: Timestamp

    func table() -> String {
        var table = TextTable([
            .init("BANK"), .init("ROUTED", .right), .init("IN TIME", .right), .init("LATE", .right),
            .init("OPEN OVERDUE", .right),
            .init("SLA", .right), .init("ACK MEDIAN", .right), .init("ACK P95", .right), .init("FREEZE MEDIAN", .right),
            .init("FREEZE P95", .right), .init("OPEN ESCALATIONS"),
        ])
        for bank in banks {
            table.append([
                bank.bankID.rawValue, "\(bank.routed)", "\(bank.answeredInTime)", "\(bank.answeredLate)",
                "\(bank.openOverdue)",
                ReportText.percent(bank.slaCompliance),
                bank.timeToAcknowledge.map { ReportText.duration($0.median) } ?? "-",
                bank.timeToAcknowledge.map { ReportText.duration($0.p95) } ?? "-",
                bank.timeToFreeze.map { ReportText.duration($0.median) } ?? "-",
                bank.timeToFreeze.map { ReportText.duration($0.p95) } ?? "-",
                Self.escalations(bank.openEscalations),
            ])
        }
        var lines = [table.render()]
        if banks.isEmpty { lines.append("(no bank has been routed a request yet)") }
        lines.append(
            "SLA = answered in time ÷ (answered + open past the freeze deadline); times from routing; judged at \(ReportText.time(now))"
        )
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        func latency(_ summary: LatencySummary?) -> Any {
            guard let summary else { return NSNull() }
            return ["count": summary.count, "median_seconds": summary.median, "p95_seconds": summary.p95]
                as [String: Any]
        }
        let rows: [[String: Any]] = banks.map { bank in
            [
                "bank_id": bank.bankID.rawValue, "routed": bank.routed, "answered_in_time": bank.answeredInTime,
                "answered_late": bank.answeredLate, "open_overdue": bank.openOverdue,
                "open_within_deadline": bank.openWithinDeadline,
                "sla_compliance": bank.slaCompliance ?? NSNull(),
                "time_to_acknowledge": latency(bank.timeToAcknowledge), "time_to_freeze": latency(bank.timeToFreeze),
                "open_escalations": Dictionary(
                    uniqueKeysWithValues: bank.openEscalations.map { ($0.key.rawValue, $0.value) }),
            ]
        }
        return ReportText.jsonDocument(["judged_at": now.rfc3339, "banks": rows] as [String: Any])
    }

    /// `ack_overdue:1 freeze_overdue:2`, in the contract's order of kinds; `-` for none.
    static func escalations(_ counts: [EscalationKind: Int]) -> String {
        let text = EscalationKind.allCases.compactMap { kind in counts[kind].map { "\(kind.rawValue):\($0)" } }.joined(
            separator: " ")
        return text.isEmpty ? "-" : text
    }
}
