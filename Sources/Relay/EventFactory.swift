import Contracts
import Foundation

/// Builds the events a decision emits. Every id is derived from the cause and what is emitted,
/// so deciding the same input again produces the same ids.
struct EventFactory {
    let policy: RelayPolicy
    let cause: Cause
    let now: Timestamp

    func status(
        _ record: RequestRecord, _ kind: StatusKind, detail: String, frozenAmount: Money? = nil,
        holdUntil: Timestamp? = nil,
        children: [ChildRequest] = [], exits: [ChainExit] = [], totals: CaseTotals? = nil,
        escalation: EscalationSummary? = nil
    ) -> OutgoingEvent {
        let levelSuffix = escalation.map { ":\($0.kind.rawValue):\($0.level)" } ?? ""
        let event = RequestStatus(
            id: cause.derivedID("status:\(CanonicalUUID.string(record.requestID)):\(kind.rawValue)\(levelSuffix)"),
            createdAt: now, requestID: record.requestID, caseID: record.caseID, bankID: record.bankID, status: kind,
            detail: Self.fitted(detail), causedBy: cause.eventID, frozenAmount: frozenAmount, holdUntil: holdUntil,
            chain: record.request.chain, children: children, exits: exits, caseTotals: totals, escalation: escalation)
        return OutgoingEvent(
            topic: policy.topics.status, key: record.caseID, event: .requestStatus(event), causationID: cause.eventID)
    }

    /// A status about a request the relay has not stored (conflicting re-sends, unknown cancels).
    func status(requestID: UUID, caseID: String, chain: ChainPosition? = nil, _ kind: StatusKind, detail: String)
        -> OutgoingEvent
    {
        let event = RequestStatus(
            id: cause.derivedID("status:\(CanonicalUUID.string(requestID)):\(kind.rawValue)"),
            createdAt: now, requestID: requestID, caseID: caseID, status: kind, detail: Self.fitted(detail),
            causedBy: cause.eventID, chain: chain)
        return OutgoingEvent(
            topic: policy.topics.status, key: caseID, event: .requestStatus(event), causationID: cause.eventID)
    }

    func routed(_ record: RequestRecord, to bank: BankProfile, acknowledgeBy: Timestamp, freezeBy: Timestamp)
        -> OutgoingEvent
    {
        let event = RoutedRequest(
            routing: record.request, id: cause.derivedID("routed_request:\(CanonicalUUID.string(record.requestID))"),
            createdAt: now, bankID: bank.id, acknowledgeBy: acknowledgeBy, freezeBy: freezeBy)
        return OutgoingEvent(
            topic: policy.requestsTopic(of: bank), key: CanonicalUUID.string(record.requestID),
            event: .routedRequest(event), causationID: cause.eventID)
    }

    func routedCancel(_ record: RequestRecord, bank: BankID, cancel: FreezeCancel) -> OutgoingEvent {
        let event = RoutedCancel(
            id: cause.derivedID("routed_cancel:\(CanonicalUUID.string(record.requestID))"), createdAt: now,
            requestID: record.requestID, caseID: record.caseID, bankID: bank, reason: cancel.reason,
            issuedAt: cancel.issuedAt, issuer: cancel.issuer)
        return OutgoingEvent(
            topic: policy.requestsTopic(of: bank), key: CanonicalUUID.string(record.requestID),
            event: .routedCancel(event), causationID: cause.eventID)
    }

    func escalation(_ escalation: EscalationRecord, overdueSeconds: Int?, exit: ChainExit? = nil) -> OutgoingEvent {
        let contact = escalation.bankID.flatMap { policy.routing.profile($0)?.escalationContact }
        let event = Escalation(
            id: cause.derivedID("escalation:\(CanonicalUUID.string(escalation.escalationID)):\(escalation.level)"),
            createdAt: now, escalationID: escalation.escalationID, kind: escalation.kind, level: escalation.level,
            bankID: escalation.kind == .unroutable ? nil : escalation.bankID, requestID: escalation.requestID,
            caseID: escalation.caseID, deadline: escalation.deadline,
            overdueSeconds: overdueSeconds.map { min(max(0, $0), Escalation.maxOverdueSeconds) },
            raisedAt: escalation.levelRaisedAt, contact: escalation.kind == .unroutable ? nil : contact,
            detail: Self.fitted(escalation.detail), exit: exit)
        return OutgoingEvent(
            topic: policy.topics.escalations, key: escalation.caseID ?? CanonicalUUID.string(escalation.requestID),
            event: .escalation(event), causationID: cause.eventID)
    }

    func resolved(_ escalation: EscalationRecord, _ resolution: EscalationResolution, detail: String) -> OutgoingEvent {
        let event = EscalationResolved(
            id: cause.derivedID("escalation_resolved:\(CanonicalUUID.string(escalation.escalationID))"), createdAt: now,
            escalationID: escalation.escalationID, resolution: resolution, resolvedAt: now,
            requestID: escalation.requestID, caseID: escalation.caseID, bankID: escalation.bankID,
            detail: Self.fitted(detail))
        return OutgoingEvent(
            topic: policy.topics.escalations, key: escalation.caseID ?? CanonicalUUID.string(escalation.requestID),
            event: .escalationResolved(event), causationID: cause.eventID)
    }

    /// The notice to operators that `record`'s account was named in other cases.
    func linkedAccount(_ record: RequestRecord, listed: [LinkedCase], count: Int, detail: String) -> OutgoingEvent {
        let event = LinkedAccount(
            id: cause.derivedID("linked_account:\(CanonicalUUID.string(record.requestID))"), createdAt: now,
            requestID: record.requestID, caseID: record.caseID, bankID: record.bankID, linkedCases: listed,
            linkedCaseCount: min(count, LinkedAccount.maxLinkedCaseCount), detail: Self.fitted(detail))
        return OutgoingEvent(
            topic: policy.topics.escalations, key: record.caseID, event: .linkedAccount(event),
            causationID: cause.eventID)
    }

    /// A detail cut to the contracts' limit (`ContractLimits.detail` characters), saying how
    /// much was left out. Long details come from answers with many transfers; the transfers
    /// themselves stay whole in the events' `exits`, the chain_exit escalations and the ledger's
    /// chain edges.
    static func fitted(_ detail: String, limit: Int = ContractLimits.detail) -> String {
        ContractText.fitted(detail, limit: limit)
    }

    /// An audit line; explicit ids win over the record's (a foreign answer names the bank that sent it).
    func audit(
        _ record: RequestRecord?, from old: RequestState?, to new: RequestState?, _ detail: String,
        security: Bool = false,
        requestID: UUID? = nil, caseID: String? = nil, bankID: BankID? = nil
    ) -> AuditEntry {
        AuditEntry(
            at: now, requestID: requestID ?? record?.requestID, caseID: caseID ?? record?.caseID,
            bankID: bankID ?? record?.bankID, cause: cause.description, oldState: old, newState: new,
            detail: detail, isSecurityEvent: security)
    }
}
