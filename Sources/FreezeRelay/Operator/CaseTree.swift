import Contracts
import Foundation
import Ledger
import Relay

/// The money trail of a case as a tree, hop by hop, for `freeze-relay case` (text, JSON, DOT).
/// Accounts are masked to their last four characters: the view is for operators' screens.
struct CaseTree {
    let detail: CaseDetail
    let now: Timestamp
    /// Indexes built once, so that long chains are drawn in linear time.
    private let requestsByID: [UUID: RequestRecord]
    private let edgesByParent: [UUID: [ChainEdge]]

    init(detail: CaseDetail, now: Timestamp) {
        self.detail = detail
        self.now = now
        requestsByID = Dictionary(detail.requests.map { ($0.requestID, $0) }, uniquingKeysWith: { first, _ in first })
        edgesByParent = Dictionary(grouping: detail.edges, by: \.fromRequestID)
    }

    /// Requests with no parent in this case (police requests), oldest first.
    var roots: [RequestRecord] {
        detail.requests.filter { $0.parentRequestID.map { requestsByID[$0] == nil } ?? true }
    }

    func edges(from request: RequestRecord) -> [ChainEdge] { edgesByParent[request.requestID] ?? [] }

    func record(_ id: UUID) -> RequestRecord? { requestsByID[id] }

    var totals: CaseTotals? {
        CaseAccounting.totals(of: CaseContext(caseID: detail.caseID, requests: detail.requests, edges: detail.edges))
    }

    // MARK: Text

    func text() -> String {
        var lines: [String] = ["case \(detail.caseID)"]
        if let totals {
            lines.append(
                "  stolen \(totals.stolen) · frozen \(totals.frozen) · still moving \(totals.moving) · exited \(totals.exited)"
            )
        }
        var visited = Set<UUID>()
        for root in roots { describe(root, indent: "  ", into: &lines, visited: &visited) }
        return lines.joined(separator: "\n")
    }

    private func describe(
        _ request: RequestRecord, indent: String, into lines: inout [String], visited: inout Set<UUID>
    ) {
        visited.insert(request.requestID)
        lines.append(indent + "hop \(request.hop)  " + summary(request))
        for edge in edges(from: request) {
            let transfer = "\(edge.transfer.amount) ref \(edge.transfer.reference)"
            switch edge.outcome {
            case .child(let id):
                if let child = record(id), !visited.contains(id) {
                    lines.append(indent + "  └─ \(transfer) →")
                    describe(child, indent: indent + "     ", into: &lines, visited: &visited)
                }
            case .join(let id):
                let target =
                    record(id).map { "\($0.bankID?.rawValue ?? "?") \(Self.mask($0.iban))" } ?? CanonicalUUID.string(id)
                lines.append(indent + "  └─ \(transfer) → joins the request already at \(target) (no second request)")
            case .exit(let reason):
                lines.append(
                    indent
                        + "  └─ \(transfer) ⇥ EXIT (\(reason.rawValue)): \(Self.destination(edge.transfer.destination))"
                )
            case .limit(let reason):
                lines.append(
                    indent
                        + "  └─ \(transfer) ✂ not followed (\(reason.rawValue)): \(Self.destination(edge.transfer.destination))"
                )
            }
        }
    }

    private func summary(_ request: RequestRecord) -> String {
        var parts = [
            request.bankID?.rawValue ?? "(no bank)", Self.mask(request.iban), "\(request.request.amount)",
            request.state.rawValue,
        ]
        if let frozen = request.frozenAmount, request.state.holdsFunds { parts.append("frozen \(frozen)") }
        if request.state.awaitsBank, let freezeBy = request.freezeBy {
            parts.append(freezeBy < now ? "freeze deadline MISSED \(freezeBy)" : "freeze by \(freezeBy)")
        }
        if let seconds = request.secondsToFreeze {
            parts.append("frozen \(ReportText.duration(Double(seconds))) after the request")
        }
        return parts.joined(separator: "  ")
    }

    static func mask(_ iban: IBAN) -> String { AccountMask.text(iban) }

    static func destination(_ destination: TransferDestination) -> String { AccountMask.destination(destination) }

    // MARK: JSON

    func json() -> [String: Any] {
        func time(_ timestamp: Timestamp?) -> Any { timestamp?.rfc3339 ?? NSNull() }
        let requests: [[String: Any]] = detail.requests.map { request in
            var row: [String: Any] = [:]
            row["request_id"] = CanonicalUUID.string(request.requestID)
            row["hop"] = request.hop
            row["parent_request_id"] = request.parentRequestID.map(CanonicalUUID.string) ?? NSNull()
            row["bank_id"] = request.bankID?.rawValue ?? NSNull()
            row["account"] = Self.mask(request.iban)
            row["amount"] = ["value": request.request.amount.value, "currency": request.request.amount.currency]
            row["state"] = request.state.rawValue
            row["frozen_amount"] =
                request.frozenAmount.map { ["value": $0.value, "currency": $0.currency] } ?? NSNull()
            row["received_at"] = time(request.receivedAt)
            row["routed_at"] = time(request.routedAt)
            row["acknowledge_by"] = time(request.acknowledgeBy)
            row["freeze_by"] = time(request.freezeBy)
            row["acknowledged_at"] = time(request.acknowledgedAt)
            row["frozen_at"] = time(request.frozenAt)
            row["hold_until"] = time(request.holdUntil)
            row["seconds_to_freeze"] = request.secondsToFreeze ?? NSNull()
            return row
        }
        let edges: [[String: Any]] = detail.edges.map { edge in
            var target: Any = NSNull()
            if case .child(let id) = edge.outcome { target = CanonicalUUID.string(id) }
            if case .join(let id) = edge.outcome { target = CanonicalUUID.string(id) }
            return [
                "from_request_id": CanonicalUUID.string(edge.fromRequestID), "reported_by": edge.reportedBy.rawValue,
                "outcome": edge.outcome.name, "target_request_id": target, "reference": edge.transfer.reference,
                "amount": ["value": edge.transfer.amount.value, "currency": edge.transfer.amount.currency],
                "occurred_at": edge.transfer.occurredAt.rfc3339,
                "destination": Self.destination(edge.transfer.destination),
            ]
        }
        var out: [String: Any] = ["case_id": detail.caseID, "requests": requests, "edges": edges]
        if let totals {
            out["totals"] = [
                "stolen": totals.stolen.value, "frozen": totals.frozen.value, "moving": totals.moving.value,
                "exited": totals.exited.value, "currency": totals.stolen.currency,
            ]
        }
        return out
    }

    // MARK: Graphviz

    /// A DOT graph: requests coloured by state, exits as red octagons, joins as dashed edges.
    func dot() -> String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        func node(_ id: UUID) -> String { "r_" + CanonicalUUID.string(id).replacingOccurrences(of: "-", with: "") }
        var lines = [
            "digraph \(quoted("case " + detail.caseID)) {", "  rankdir=LR;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];",
            "  labelloc=t; label=\(quoted("case \(detail.caseID)" + (totals.map { " — stolen \($0.stolen), frozen \($0.frozen), exited \($0.exited)" } ?? "")));",
        ]
        for request in detail.requests {
            let label =
                "hop \(request.hop): \(request.bankID?.rawValue ?? "no bank") \(Self.mask(request.iban))\\n\(request.request.amount)\\n\(request.state.rawValue)"
            lines.append(
                "  \(node(request.requestID)) [label=\(quoted(label)), fillcolor=\(quoted(Self.colour(request.state)))];"
            )
        }
        for (index, edge) in detail.edges.enumerated() {
            let label = quoted("\(edge.transfer.amount)\\n\(edge.transfer.reference)")
            switch edge.outcome {
            case .child(let id):
                lines.append("  \(node(edge.fromRequestID)) -> \(node(id)) [label=\(label)];")
            case .join(let id):
                lines.append("  \(node(edge.fromRequestID)) -> \(node(id)) [label=\(label), style=dashed];")
            case .exit, .limit:
                let exit = "x_\(index)"
                let isExit = if case .exit = edge.outcome { true } else { false }
                lines.append(
                    "  \(exit) [label=\(quoted((isExit ? "EXIT: " : "NOT FOLLOWED: ") + Self.destination(edge.transfer.destination))), shape=\(isExit ? "octagon" : "note"), fillcolor=\(quoted(isExit ? "#f4a6a6" : "#dddddd"))];"
                )
                lines.append(
                    "  \(node(edge.fromRequestID)) -> \(exit) [label=\(label), color=\(isExit ? "red" : "gray")];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    static func colour(_ state: RequestState) -> String {
        switch state {
        case .frozen: "#8fd18f"
        case .partiallyFrozen: "#c7e59a"
        case .routed, .acknowledged: "#ffd27f"
        case .fundsMoved: "#9cc3e6"
        case .rejected, .accountNotFound: "#f4a6a6"
        case .unroutable, .held: "#bbbbbb"
        case .released, .cancelled, .refused: "#eeeeee"
        }
    }
}

/// Renders a case from a ledger file (used by the demo's closing summary).
enum CaseTreeText {
    static func render(caseID: String, ledgerPath: String) throws -> String? {
        let reader = try LedgerReader.open(at: ledgerPath)
        defer { reader.close() }
        guard let detail = try reader.caseDetail(caseID) else { return nil }
        let now = Timestamp(Date())
        let links = try reader.accountLinks(ofCase: caseID)
        guard !links.isEmpty else { return CaseTree(detail: detail, now: now).text() }
        let report = CaseReport(detail: detail, now: now, links: links)
        return CaseTree(detail: detail, now: now).text() + "\n\nlinked cases (other cases that named its accounts):\n"
            + report.linkTable()
    }
}
