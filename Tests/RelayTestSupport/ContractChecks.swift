import Contracts
import Foundation
import Relay
import Testing

/// Checks every decision must pass, whatever it decided: each outgoing event encodes (that is,
/// validates against the contracts), goes to the right topic under the right key, carries a
/// causation id, ids are unique; a refusal fits in a dead letter; audit lines carry no account
/// numbers or any of `personalNames`.
public func checkContracts(
    _ effects: Effects, policy: RelayPolicy, personalNames: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
    var ids: Set<UUID> = []
    for outgoing in effects.events {
        let event = outgoing.event
        do {
            _ = try EventEncoder.encode(event)
        } catch {
            Issue.record("\(event.type.rawValue) event does not encode: \(error)", sourceLocation: sourceLocation)
        }
        if !ids.insert(event.id).inserted {
            Issue.record("event id \(event.id) emitted twice in one decision", sourceLocation: sourceLocation)
        }
        if outgoing.causationID == nil {
            Issue.record("\(event.type.rawValue) event without causation id", sourceLocation: sourceLocation)
        }
        let expected: (topic: String, key: String)
        switch event {
        case .requestStatus(let status):
            expected = (policy.topics.status, status.caseID)
            if status.causedBy == nil { Issue.record("status without caused_by", sourceLocation: sourceLocation) }
        case .escalation(let escalation):
            expected = (policy.topics.escalations, escalation.caseID ?? CanonicalUUID.string(escalation.requestID))
        case .escalationResolved(let resolved):
            expected = (policy.topics.escalations, resolved.caseID ?? CanonicalUUID.string(resolved.requestID))
        case .routedRequest(let routed):
            expected = (policy.requestsTopic(of: routed.bankID), CanonicalUUID.string(routed.requestID))
        case .routedCancel(let cancel):
            expected = (policy.requestsTopic(of: cancel.bankID), CanonicalUUID.string(cancel.requestID))
        case .linkedAccount(let notice):
            expected = (policy.topics.escalations, notice.caseID)
            if notice.linkedCaseCount < notice.linkedCases.count {
                Issue.record("linked_account counts fewer cases than it lists", sourceLocation: sourceLocation)
            }
        default:
            Issue.record("the relay emitted a \(event.type.rawValue) event", sourceLocation: sourceLocation)
            continue
        }
        if outgoing.topic != expected.topic || outgoing.key != expected.key {
            Issue.record(
                "\(event.type.rawValue) goes to \(outgoing.topic) key \(outgoing.key); expected \(expected.topic) key \(expected.key)",
                sourceLocation: sourceLocation)
        }
    }
    if let refusal = effects.refusal {
        // Any time will do: only whether the refusal fits is checked.
        let letterTime = Timestamp(secondsSinceEpoch: 1_772_442_000)
        let letter = DeadLetter(
            id: TestValues.uuid(999_999), createdAt: letterTime,
            source: .init(topic: "freeze.requests", partition: 0, offset: 1),
            key: nil, value: Array("{}".utf8),
            reason: .init(code: refusal.code, path: refusal.path, message: refusal.message),
            deadLetteredAt: letterTime)
        do { _ = try EventEncoder.encode(letter) } catch {
            Issue.record("refusal does not fit in a dead letter: \(error)", sourceLocation: sourceLocation)
        }
    }
    for entry in effects.audit {
        if entry.detail.isEmpty { Issue.record("empty audit detail", sourceLocation: sourceLocation) }
        if entry.detail.contains(/[A-Z]{2}[0-9]{2}[0-9]{3}[A-Z0-9]{13}/) {
            Issue.record("audit detail carries an account number: \(entry.detail)", sourceLocation: sourceLocation)
        }
        for name in personalNames where entry.detail.contains(name) {
            Issue.record("audit detail carries a holder name: \(entry.detail)", sourceLocation: sourceLocation)
        }
    }
}

// MARK: Reading effects

extension Effects {
    public var statuses: [RequestStatus] {
        events.compactMap { if case .requestStatus(let status) = $0.event { status } else { nil } }
    }

    public var escalationEvents: [Escalation] {
        events.compactMap { if case .escalation(let escalation) = $0.event { escalation } else { nil } }
    }

    public var resolvedEvents: [EscalationResolved] {
        events.compactMap { if case .escalationResolved(let resolved) = $0.event { resolved } else { nil } }
    }

    public var routedRequests: [RoutedRequest] {
        events.compactMap { if case .routedRequest(let routed) = $0.event { routed } else { nil } }
    }

    public var routedCancels: [RoutedCancel] {
        events.compactMap { if case .routedCancel(let cancel) = $0.event { cancel } else { nil } }
    }

    public func statuses(_ kind: StatusKind) -> [RequestStatus] { statuses.filter { $0.status == kind } }

    public func record(_ id: UUID) -> RequestRecord? { requests.last { $0.requestID == id } }

    /// Nothing at all changes (the outcome string aside).
    public var changesNothing: Bool { isEmpty }
}
