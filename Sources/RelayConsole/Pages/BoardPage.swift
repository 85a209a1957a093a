import Contracts
import Foundation
import Relay

/// The escalations board: open escalations, oldest first, with a count per bank, kind and
/// level above them. The live part (`fragment`) is what the server pushes when it changes; it
/// shows raise times and deadlines rather than ages so that it changes only when escalations do.
enum BoardPage {
    static let eventsPath = "/events/board"

    static func page(_ escalations: [EscalationRecord]) -> HTML {
        PageLayout.page(
            title: "Escalations", current: .board,
            body: """
                <h1>Open escalations <span id="live-status" class="live">connecting…</span></h1>
                <div id="board-live" data-events="\(eventsPath)">\(fragment(escalations))</div>
                """)
    }

    /// The board's body: the summary and the table.
    static func fragment(_ escalations: [EscalationRecord]) -> HTML {
        guard !escalations.isEmpty else {
            return "<p class=\"empty\" id=\"no-escalations\">No open escalation.</p>"
        }
        return "\(summary(escalations))\(table(escalations))"
    }

    /// Open escalations counted by bank, then kind and level: who needs a call first.
    static func summary(_ escalations: [EscalationRecord]) -> HTML {
        struct Key: Hashable, Comparable {
            var bank: String
            var kind: String
            var level: Int
            static func < (a: Key, b: Key) -> Bool { (a.bank, a.kind, a.level) < (b.bank, b.kind, b.level) }
        }
        let counts = Dictionary(
            grouping: escalations,
            by: { Key(bank: $0.bankID?.rawValue ?? "–", kind: $0.kind.rawValue, level: $0.level) })
        let rows = counts.keys.sorted().map { key -> HTML in
            let oldest = counts[key]!.map(\.raisedAt).min()
            return """
                <tr><td>\(key.bank)</td><td>\(key.kind)</td><td class="num"><span class="badge level-\(min(key.level, 5))">\(key.level)</span></td>\
                <td class="num">\(counts[key]!.count)</td><td class="time">\(ConsoleFormat.time(oldest))</td></tr>
                """
        }
        return """
            <h2>By bank, kind and level</h2>
            <table class="summary"><thead><tr><th>Bank</th><th>Kind</th><th class="num">Level</th><th class="num">Open</th>\
            <th>Oldest raised</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
            """
    }

    /// Every open escalation, oldest raised first.
    static func table(_ escalations: [EscalationRecord]) -> HTML {
        let rows = escalations.map { escalation -> HTML in
            let caseLink: HTML =
                escalation.caseID.map { "<a href=\"\(CasePage.path(for: $0))\">\($0)</a>" } ?? "–"
            return """
                <tr data-escalation="\(CanonicalUUID.string(escalation.escalationID))"><td class="time">\(ConsoleFormat.time(escalation.raisedAt))</td>\
                <td>\(escalation.bankID?.rawValue ?? "–")</td><td>\(escalation.kind.rawValue)</td>\
                <td class="num"><span class="badge level-\(min(escalation.level, 5))">\(escalation.level)</span></td>\
                <td>\(caseLink)</td><td class="muted">\(CanonicalUUID.string(escalation.requestID))</td>\
                <td class="time">\(ConsoleFormat.time(escalation.deadline))</td><td>\(TextRedaction.maskAccounts(escalation.detail))</td></tr>
                """
        }
        return """
            <h2>Oldest first</h2>
            <table class="escalations"><thead><tr><th>Raised</th><th>Bank</th><th>Kind</th><th class="num">Level</th>\
            <th>Case</th><th>Request</th><th>Deadline</th><th>Detail</th></tr></thead>\
            <tbody>\(HTML.join(rows))</tbody></table>
            """
    }
}
