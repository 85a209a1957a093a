import Contracts
import Ledger

/// How each bank keeps its service levels, as `freeze-relay banks` reports them.
enum BanksPage {
    static func page(_ banks: [BankStatistics], now: Timestamp) -> HTML {
        let rows = banks.map { bank -> HTML in
            func latency(_ summary: LatencySummary?, _ value: (LatencySummary) -> Double) -> String {
                summary.map { ConsoleFormat.duration(seconds: value($0)) } ?? "–"
            }
            let open = EscalationKind.allCases.compactMap { kind in
                bank.openEscalations[kind].map { "\(kind.rawValue): \($0)" }
            }
            return """
                <tr><td>\(bank.bankID.rawValue)</td><td class="num">\(bank.routed)</td>\
                <td class="num">\(bank.answeredInTime)</td><td class="num">\(bank.answeredLate)</td>\
                <td class="num">\(bank.openOverdue)</td><td class="num">\(ConsoleFormat.percent(bank.slaCompliance))</td>\
                <td class="num">\(latency(bank.timeToAcknowledge, \.median))</td><td class="num">\(latency(bank.timeToAcknowledge, \.p95))</td>\
                <td class="num">\(latency(bank.timeToFreeze, \.median))</td><td class="num">\(latency(bank.timeToFreeze, \.p95))</td>\
                <td>\(open.isEmpty ? "–" : open.joined(separator: ", "))</td></tr>
                """
        }
        let table: HTML =
            banks.isEmpty
            ? "<p class=\"empty\">No bank has been routed a request yet.</p>"
            : """
            <table class="banks"><thead><tr><th>Bank</th><th class="num">Routed</th><th class="num">In time</th>\
            <th class="num">Late</th><th class="num">Open overdue</th><th class="num">SLA</th>\
            <th class="num">Ack median</th><th class="num">Ack p95</th><th class="num">Freeze median</th>\
            <th class="num">Freeze p95</th><th>Open escalations</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
            """
        return PageLayout.page(
            title: "Banks", current: .banks,
            body: """
                <h1>Banks</h1>\(table)
                <p class="muted">SLA = answered in time ÷ (answered + open past the freeze deadline). Times from \
                routing. Judged at \(ConsoleFormat.time(now)).</p>
                """)
    }
}
