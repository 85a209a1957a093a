import Contracts
import Foundation

/// An operator's order: release or refuse held requests, or close escalations once explained.
public struct OperatorOrder: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Route held requests as if they had just arrived.
        case release
        /// End held requests (`refused`, final); no bank hears of them.
        case refuse
        /// Close open escalations (security events, chain exits, limits: those only operators close).
        case closeEscalation = "close_escalation"
    }

    /// What the order names: ids (request ids, or escalation ids for `closeEscalation`), or every
    /// held request (optionally only those naming one agency).
    public enum Selection: Sendable, Hashable {
        case ids([UUID])
        case allHeld(agency: String?)
    }

    /// Names the order: the ids of what it causes derive from it, so applying it again after a
    /// crash before commit derives the same ones.
    public var orderID: UUID
    public var action: Action
    public var selection: Selection
    public var decision: OperatorDecision
    public var requestedAt: Timestamp

    public init(
        orderID: UUID = UUID(), action: Action, selection: Selection, decision: OperatorDecision, requestedAt: Timestamp
    ) {
        (self.orderID, self.action, self.selection, self.decision, self.requestedAt) = (
            orderID, action, selection, decision, requestedAt
        )
    }
}

/// What an order did to one thing it named.
public struct OperatorOrderOutcome: Sendable, Hashable, Codable {
    /// The request (release, refuse) or escalation (close) named.
    public var id: UUID
    public var caseID: String?
    /// `released` (routed), `released_unroutable`, `refused`, `closed`; or `not_held`,
    /// `not_open`, `unknown` when nothing was done.
    public var outcome: Outcome
    /// The bank it was routed to, when released to one; the escalation's bank when closed.
    public var bankID: String?
    /// The request's state after the order (release, refuse); the escalation's kind (close).
    public var state: String?

    public init(id: UUID, caseID: String?, outcome: Outcome, bankID: String?, state: String?) {
        (self.id, self.caseID, self.outcome, self.bankID, self.state) = (id, caseID, outcome, bankID, state)
    }

    /// Whether the order did what it asked to this one.
    public var decided: Bool { ![.notHeld, .notOpen, .unknown].contains(outcome) }
}

extension RelayEngine {
    /// An operator closes an escalation once explained (a security event, a chain exit, a chain
    /// limit: nothing else closes those). `escalation` is the stored one and whether it is still
    /// open; one already resolved is left alone (`not_open`), so closing twice is harmless.
    public func closeEscalation(
        _ escalation: EscalationRecord?, isOpen: Bool, decision: OperatorDecision, cause: Cause, now: Timestamp
    ) -> Effects {
        var effects = Effects()
        guard let escalation else {
            effects.outcome = .unknown
            return effects
        }
        guard isOpen else {
            effects.outcome = .notOpen
            return effects
        }
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        effects.resolved = [
            EscalationClosure(escalationID: escalation.escalationID, resolution: .closed, resolvedAt: now)
        ]
        effects.events = [factory.resolved(escalation, .closed, detail: "closed by \(decision.described)")]
        effects.audit = [
            factory.audit(
                nil, from: nil, to: nil,
                "\(escalation.kind.rawValue) escalation \(CanonicalUUID.string(escalation.escalationID)) closed by \(decision.described)",
                security: escalation.kind.isSecurityEvent, requestID: escalation.requestID, caseID: escalation.caseID,
                bankID: escalation.bankID)
        ]
        effects.outcome = .closed
        return effects
    }
}
