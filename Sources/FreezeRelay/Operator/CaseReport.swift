import Contracts
import Foundation
import Ledger
import Relay

/// `freeze-relay case <id>` as text, JSON or DOT: the chain tree (`CaseTree`), then the
/// case's escalations and its audit trail. Pure: a function of the case detail and the time.
struct CaseReport {
    let detail: CaseDetail
    let now: Timestamp
    /// Other cases that named the case's accounts (`LedgerReader.accountLinks`).
    var links: [CaseAccountLink] = []

    var tree: CaseTree { CaseTree(detail: detail, now: now) }

    func text() -> String {
        var sections = [tree.text()]
        sections.append(
            "linked cases (other cases that named this case's accounts: \(Set(links.map(\.linked.caseID)).count)):\n"
                + (links.isEmpty ? "  none" : linkTable()))
        sections.append(
            "escalations (\(detail.escalations.filter(\.isOpen).count) open, \(detail.escalations.filter { !$0.isOpen }.count) resolved):\n"
                + (detail.escalations.isEmpty ? "  none" : escalationTable()))
        sections.append(
            "audit trail (\(detail.audit.count) entries):\n" + (detail.audit.isEmpty ? "  none" : auditTable()))
        return sections.joined(separator: "\n\n")
    }

    func escalationTable() -> String {
        var table = TextTable([
            .init("ESCALATION"), .init("KIND"), .init("LEVEL", .right), .init("BANK"), .init("REQUEST"),
            .init("RAISED"), .init("DEADLINE"), .init("STATUS"),
        ])
        for stored in detail.escalations {
            let escalation = stored.record
            let status =
                stored.isOpen
                ? "OPEN"
                    + (escalation.deadline.map {
                        $0 < now ? " (\(ReportText.duration(Double($0.seconds(until: now)))) overdue)" : ""
                    } ?? "")
                : "resolved \(stored.resolution?.rawValue ?? "?") \(ReportText.time(stored.resolvedAt))"
            table.append([
                ReportText.short(escalation.escalationID), escalation.kind.rawValue, "\(escalation.level)",
                escalation.bankID?.rawValue ?? "-", ReportText.short(escalation.requestID),
                ReportText.time(escalation.raisedAt),
                ReportText.time(escalation.deadline), status,
            ])
        }
        return table.render()
    }

    /// One row per request and other case; accounts masked as in the tree.
    func linkTable() -> String {
        var table = TextTable([
            .init("REQUEST"), .init("ACCOUNT"), .init("OTHER CASE"), .init("ITS REQUEST"), .init("RECEIVED"),
        ])
        let accounts = Dictionary(
            detail.requests.map { ($0.requestID, $0.iban) }, uniquingKeysWith: { first, _ in first })
        for link in links {
            table.append([
                ReportText.short(link.requestID), accounts[link.requestID].map(AccountMask.text) ?? "-",
                link.linked.caseID, ReportText.short(link.linked.requestID),
                ReportText.time(link.linkedReceivedAt),
            ])
        }
        return table.render()
    }

    func auditTable() -> String {
        var table = TextTable([.init("TIME"), .init("REQUEST"), .init("CAUSE"), .init("OLD → NEW"), .init("DETAIL")])
        for record in detail.audit {
            let entry = record.entry
            let change =
                entry.oldState == nil && entry.newState == nil
                ? "-" : "\(entry.oldState?.rawValue ?? "(new)") → \(entry.newState?.rawValue ?? "-")"
            table.append([
                ReportText.time(entry.at), entry.requestID.map(ReportText.short) ?? "-", entry.cause, change,
                (entry.isSecurityEvent ? "SECURITY: " : "") + entry.detail,
            ])
        }
        return table.render()
    }

    func json() -> String {
        var document = tree.json()
        document["judged_at"] = now.rfc3339
        document["linked_cases"] = links.map { link -> [String: Any] in
            [
                "request_id": CanonicalUUID.string(link.requestID), "case_id": link.linked.caseID,
                "linked_request_id": CanonicalUUID.string(link.linked.requestID),
                "linked_received_at": link.linkedReceivedAt.rfc3339,
            ]
        }
        document["escalations"] = detail.escalations.map { stored -> [String: Any] in
            let escalation = stored.record
            return [
                "escalation_id": CanonicalUUID.string(escalation.escalationID), "kind": escalation.kind.rawValue,
                "level": escalation.level, "request_id": CanonicalUUID.string(escalation.requestID),
                "bank_id": escalation.bankID?.rawValue ?? NSNull(), "raised_at": escalation.raisedAt.rfc3339,
                "level_raised_at": escalation.levelRaisedAt.rfc3339, "deadline": ReportText.json(escalation.deadline),
                "detail": escalation.detail, "open": stored.isOpen, "resolved_at": ReportText.json(stored.resolvedAt),
                "resolution": stored.resolution?.rawValue ?? NSNull(),
            ]
        }
        document["audit"] = detail.audit.map { record -> [String: Any] in
            let entry = record.entry
            return [
                "seq": record.sequence, "at": entry.at.rfc3339,
                "request_id": entry.requestID.map(CanonicalUUID.string) ?? NSNull(),
                "bank_id": entry.bankID?.rawValue ?? NSNull(), "cause": entry.cause,
                "old_state": entry.oldState?.rawValue ?? NSNull(),
                "new_state": entry.newState?.rawValue ?? NSNull(), "detail": entry.detail,
                "security": entry.isSecurityEvent,
            ]
        }
        return ReportText.jsonDocument(document)
    }

    func dot() -> String { tree.dot() }
}
