import Contracts
import Foundation
import Ledger
import Relay

/// The money trail drawn as SVG on the server: a box per request (bank, masked account, amount,
/// state, time to freeze, deadline), a red box per exit (crypto wallet, cash, card, bank outside
/// the network), a grey dashed one per transfer not followed, arrows labelled with the amount
/// moved. Styling comes from the stylesheet (classes only: the page's CSP forbids inline styles).
enum MoneyTrailSVG {
    static let boxWidth = 210.0
    static let boxHeight = 92.0
    static let columnStep = 236.0
    static let rowStep = 150.0
    static let margin = 16.0

    static func render(_ detail: CaseDetail, now: Timestamp) -> HTML {
        let layout = MoneyTrailLayout(detail: detail)
        guard !layout.boxes.isEmpty else { return "<p class=\"empty\">No request in this case.</p>" }
        let width = margin * 2 + Double(max(layout.columns, 1) - 1) * columnStep + boxWidth
        let height = margin * 2 + Double(max(layout.rows, 1) - 1) * rowStep + boxHeight
        var parts: [HTML] = []
        parts.reserveCapacity(layout.boxes.count * 2 + layout.links.count)
        for link in layout.links {
            parts.append(arrow(from: layout.boxes[link.from], to: layout.boxes[link.to], link: link))
        }
        for placed in layout.boxes { parts.append(box(placed, now: now)) }
        return """
            <svg class="trail" xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" \
            viewBox="0 0 \(number(width)) \(number(height))" role="img" aria-label="money trail of case \(detail.caseID)">\
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#51607a"/></marker></defs>\
            \(HTML.join(parts))</svg>
            """
    }

    private static func origin(_ placed: MoneyTrailLayout.Placed) -> (x: Double, y: Double) {
        (margin + placed.column * columnStep, margin + Double(placed.row) * rowStep)
    }

    private static func arrow(
        from: MoneyTrailLayout.Placed, to: MoneyTrailLayout.Placed, link: MoneyTrailLayout.Link
    ) -> HTML {
        let start = origin(from)
        let end = origin(to)
        let x1 = start.x + boxWidth / 2
        let y1 = start.y + boxHeight
        let x2 = end.x + boxWidth / 2
        // A join may point back up the tree: then it ends at the box's top edge all the same.
        let y2 = end.y
        var kind = ""
        if case .exit = to.box { kind = " exit" }
        if link.isJoin { kind += " join" }
        let label = ConsoleFormat.money(link.edge.transfer.amount) + (link.isJoin ? " (joins)" : "")
        return """
            <g class="link"><line class="edge\(kind)" x1="\(number(x1))" y1="\(number(y1))" x2="\(number(x2))" \
            y2="\(number(y2))" marker-end="url(#arrow)"/><text class="edge" x="\(number((x1 + x2) / 2 + 6))" \
            y="\(number((y1 + y2) / 2))">\(label)</text></g>
            """
    }

    private static func box(_ placed: MoneyTrailLayout.Placed, now: Timestamp) -> HTML {
        let (x, y) = origin(placed)
        let lines: [(String, String)]
        let shape: String
        switch placed.box {
        case .request(let request):
            shape = "node st-\(stateClass(request.state))"
            lines = requestLines(request, now: now)
        case .exit(let edge, let reason):
            shape = "node exit"
            lines = [
                ("head exit", "EXIT · \(reason.rawValue)"),
                ("", AccountMask.destination(edge.transfer.destination)),
                ("", ConsoleFormat.money(edge.transfer.amount)),
                ("", "reported by \(edge.reportedBy.rawValue)"),
                ("muted", ConsoleFormat.time(edge.transfer.occurredAt)),
            ]
        case .limit(let edge, let reason):
            shape = "node limit"
            lines = [
                ("head", "not followed · \(reason.rawValue)"),
                ("", AccountMask.destination(edge.transfer.destination)),
                ("", ConsoleFormat.money(edge.transfer.amount)),
            ]
        }
        let texts = lines.enumerated().map { index, line -> HTML in
            let cls: HTML = line.0.isEmpty ? "" : " class=\"\(line.0)\""
            // A box holds about 32 characters a line; the full text stays in a tooltip.
            let shown = line.1.count > 32 ? String(line.1.prefix(31)) + "…" : line.1
            let tooltip: HTML = shown == line.1 ? "" : "<title>\(line.1)</title>"
            return
                "<text\(cls) x=\"\(number(x + 8))\" y=\"\(number(y + 16 + Double(index) * 15))\">\(tooltip)\(shown)</text>"
        }
        return """
            <g class="box"><rect class="\(shape)" x="\(number(x))" y="\(number(y))" width="\(number(boxWidth))" \
            height="\(number(boxHeight))"/>\(HTML.join(texts))</g>
            """
    }

    private static func requestLines(_ request: RequestRecord, now: Timestamp) -> [(String, String)] {
        var lines = [
            (
                "head",
                "hop \(request.hop) · \(request.bankID?.rawValue ?? "no bank") · \(AccountMask.text(request.iban))"
            ),
            ("", ConsoleFormat.money(request.request.amount)),
            ("", request.state.rawValue + (request.frozenAmount.map { " · " + ConsoleFormat.money($0) } ?? "")),
        ]
        if let seconds = request.secondsToFreeze {
            lines.append(("", "frozen after \(ConsoleFormat.duration(seconds: Double(seconds)))"))
        }
        if request.state.awaitsBank, let freezeBy = request.freezeBy {
            lines.append(
                freezeBy < now
                    ? ("missed", "freeze deadline MISSED \(ConsoleFormat.time(freezeBy))")
                    : ("", "freeze by \(ConsoleFormat.time(freezeBy))"))
        }
        return Array(lines.prefix(5))
    }

    /// The stylesheet's class for a state (states without a colour of their own share one).
    static func stateClass(_ state: RequestState) -> String {
        switch state {
        case .frozen, .partiallyFrozen, .routed, .acknowledged, .fundsMoved, .rejected, .accountNotFound:
            state.rawValue
        default: "other"
        }
    }

    /// Coordinates without a trailing `.0`, so the markup stays small for long chains.
    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
