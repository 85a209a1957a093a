import Contracts
import Foundation
import Ledger
import Relay

/// One case: totals, the money trail drawn, every hop in a table, and the case's escalations.
enum CasePage {
    static let basePath = "/case"

    /// `/case?id=…`: the id travels in the query, percent-encoded, so that any case id (they come
    /// from police systems and may hold `/`, `?` or worse) makes a working link.
    static func path(for caseID: String) -> String {
        basePath + "?id=" + (caseID.addingPercentEncoding(withAllowedCharacters: queryValueCharacters) ?? "")
    }

    private static let queryValueCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func page(_ detail: CaseDetail, links: [CaseAccountLink] = [], now: Timestamp) -> HTML {
        let totals = CaseAccounting.totals(
            of: CaseContext(caseID: detail.caseID, requests: detail.requests, edges: detail.edges))
        let cards: HTML =
            totals.map { totals in
                """
                <div class="cards"><div class="card stolen"><div class="label">Stolen</div><div class="value">\
                \(ConsoleFormat.money(totals.stolen))</div></div>\
                <div class="card frozen"><div class="label">Frozen</div><div class="value">\(ConsoleFormat.money(totals.frozen))</div></div>\
                <div class="card moving"><div class="label">Still moving</div><div class="value">\(ConsoleFormat.money(totals.moving))</div></div>\
                <div class="card exited"><div class="label">Exited</div><div class="value">\(ConsoleFormat.money(totals.exited))</div></div></div>
                """
            } ?? ""
        return PageLayout.page(
            title: "Case \(detail.caseID)", current: nil,
            body: """
                <h1>Case <span id="case-id">\(detail.caseID)</span></h1>\(cards)
                <h2>Money trail</h2><div class="graph">\(MoneyTrailSVG.render(detail, now: now))</div>
                <h2>Hops</h2>\(hops(detail, now: now))
                <h2>Accounts seen in other cases</h2>\(linkedCases(detail, links))
                <h2>Escalations</h2>\(escalations(detail))
                """)
    }

    static func hops(_ detail: CaseDetail, now: Timestamp) -> HTML {
        let rows = detail.requests.map { request -> HTML in
            let frozenAfter = request.secondsToFreeze.map { ConsoleFormat.duration(seconds: Double($0)) } ?? "–"
            let missed = request.state.awaitsBank && (request.freezeBy.map { $0 < now } ?? false)
            let freezeBy: HTML =
                missed
                ? "<strong class=\"missed\">\(ConsoleFormat.time(request.freezeBy)) missed</strong>"
                : "\(ConsoleFormat.time(request.freezeBy))"
            return """
                <tr><td class="num">\(request.hop)</td><td>\(request.bankID?.rawValue ?? "–")</td>\
                <td>\(AccountMask.text(request.iban))</td><td class="num">\(ConsoleFormat.money(request.request.amount))</td>\
                <td>\(request.state.rawValue)</td><td class="num">\(request.frozenAmount.map(ConsoleFormat.money) ?? "–")</td>\
                <td class="time">\(ConsoleFormat.time(request.receivedAt))</td><td class="time">\(ConsoleFormat.time(request.acknowledgeBy))</td>\
                <td>\(freezeBy)</td><td>\(frozenAfter)</td><td class="muted">\(CanonicalUUID.string(request.requestID))</td></tr>
                """
        }
        return """
            <table class="hops"><thead><tr><th class="num">Hop</th><th>Bank</th><th>Account</th><th class="num">Amount</th>\
            <th>State</th><th class="num">Frozen</th><th>Received</th><th>Acknowledge by</th><th>Freeze by</th>\
            <th>Time to freeze</th><th>Request</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
            """
    }

    /// Which of this case's accounts other cases named too, and which of their requests to ask
    /// about: only the other case's id and request id, nothing else of it.
    static func linkedCases(_ detail: CaseDetail, _ links: [CaseAccountLink]) -> HTML {
        guard !links.isEmpty else { return "<p class=\"empty\">No account of this case was named in another case.</p>" }
        let requests = Dictionary(detail.requests.map { ($0.requestID, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = links.map { link -> HTML in
            let own = requests[link.requestID]
            return """
                <tr class="linked"><td class="num">\(own?.hop ?? 0)</td><td>\(own?.bankID?.rawValue ?? "–")</td>\
                <td>\(own.map { AccountMask.text($0.iban) } ?? "–")</td>\
                <td><a href="\(path(for: link.linked.caseID))">\(link.linked.caseID)</a></td>\
                <td class="muted">\(CanonicalUUID.string(link.linked.requestID))</td>\
                <td class="time">\(ConsoleFormat.time(link.linkedReceivedAt))</td></tr>
                """
        }
        return """
            <table class="links"><thead><tr><th class="num">Hop</th><th>Bank</th><th>Account</th><th>Other case</th>\
            <th>Its request</th><th>Received there</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
            """
    }

    static func escalations(_ detail: CaseDetail) -> HTML {
        guard !detail.escalations.isEmpty else { return "<p class=\"empty\">No escalation in this case.</p>" }
        let rows = detail.escalations.map { stored -> HTML in
            let escalation = stored.record
            let status: String =
                stored.resolvedAt.map { "resolved \(ConsoleFormat.time($0)) (\(stored.resolution?.rawValue ?? "?"))" }
                ?? "open"
            return """
                <tr><td class="time">\(ConsoleFormat.time(escalation.raisedAt))</td><td>\(escalation.bankID?.rawValue ?? "–")</td>\
                <td>\(escalation.kind.rawValue)</td><td class="num">\(escalation.level)</td><td>\(status)</td>\
                <td>\(TextRedaction.maskAccounts(escalation.detail))</td></tr>
                """
        }
        return """
            <table><thead><tr><th>Raised</th><th>Bank</th><th>Kind</th><th class="num">Level</th><th>Status</th>\
            <th>Detail</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
            """
    }
}
