import Contracts
import Foundation

extension RelayEngine {
    /// A due timer. If the bank has not met the deadline, escalate at the timer's level and
    /// schedule the next level; if it has, nothing happens (the timer is simply spent).
    public func fire(_ deadline: Deadline, context: RequestContext, now: Timestamp) -> Effects {
        var effects = Effects()
        guard let record = context.record, let bank = record.bankID else {
            effects.outcome = .deadlineMoot
            return effects
        }
        let stillOpen: Bool
        switch deadline.kind {
        case .acknowledge: stillOpen = record.state == .routed
        case .freeze: stillOpen = record.state.awaitsBank
        case .holdExpiry: stillOpen = record.state.holdsFunds && record.holdUntil == deadline.deadline
        }
        guard stillOpen else {
            // Met when the bank gave the answer the deadline asked for; otherwise moot (the
            // request was cancelled, or the hold was changed or lifted).
            let met: Bool
            switch deadline.kind {
            case .acknowledge: met = record.acknowledgedAt != nil
            case .freeze: met = record.answeredAt != nil
            case .holdExpiry: met = false
            }
            effects.outcome = met ? .deadlineMet : .deadlineMoot
            return effects
        }
        let factory = EventFactory(policy: policy, cause: .timer(deadline), now: now)
        let kind = deadline.kind.escalationKind
        let existing = context.openEscalation(kind)
        let overdue = Int(clamping: deadline.deadline.seconds(until: now))
        let detail: String
        switch deadline.kind {
        case .acknowledge:
            detail =
                "\(bank) has not acknowledged request \(CanonicalUUID.string(record.requestID)) (deadline \(deadline.deadline), \(max(0, overdue))s overdue)"
        case .freeze:
            detail =
                "\(bank) has not confirmed a freeze for request \(CanonicalUUID.string(record.requestID)) (deadline \(deadline.deadline), \(max(0, overdue))s overdue)"
        case .holdExpiry:
            detail =
                "\(bank)'s hold on request \(CanonicalUUID.string(record.requestID)) lapses at \(deadline.deadline); extend it by a formal decision before then"
        }
        let escalation = EscalationRecord(
            escalationID: existing?.escalationID ?? EscalationRecord.id(requestID: record.requestID, kind: kind),
            kind: kind, level: max(deadline.level, existing?.level ?? 0), requestID: record.requestID,
            caseID: record.caseID,
            bankID: bank, raisedAt: existing?.raisedAt ?? now, levelRaisedAt: now, deadline: deadline.deadline,
            detail: detail)
        effects.escalations = [escalation]
        let summary = EscalationSummary(escalationID: escalation.escalationID, kind: kind, level: escalation.level)
        effects.events = [
            factory.escalation(escalation, overdueSeconds: deadline.kind == .holdExpiry ? nil : max(0, overdue))
        ]
        if deadline.kind == .holdExpiry {
            // The contract allows an escalation summary only on `escalated` statuses; the
            // escalation event itself carries the id and level.
            effects.events.append(
                factory.status(
                    record, .holdExpiring, detail: detail, frozenAmount: record.frozenAmount,
                    holdUntil: record.holdUntil))
        } else {
            effects.events.append(
                factory.status(
                    record, .escalated, detail: "escalated to level \(escalation.level): \(detail)", escalation: summary
                ))
            if let due = policy.sla.dueDate(ofLevel: deadline.level + 1, after: deadline.deadline) {
                effects.schedule = [
                    Deadline(
                        requestID: record.requestID, kind: deadline.kind, level: deadline.level + 1,
                        deadline: deadline.deadline, dueAt: due)
                ]
            }
        }
        effects.audit = [
            factory.audit(
                record, from: record.state, to: record.state,
                "\(kind.rawValue) escalation level \(escalation.level): \(detail)")
        ]
        effects.outcome = .escalated
        return effects
    }
}
