import Contracts
import Foundation

/// An operator's order about held requests: release them (route them) or refuse them.
public struct HeldRequestOrder: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case release
        case refuse
    }

    /// Which held requests: the listed ids, or every held request (optionally only those
    /// naming one agency).
    public enum Selection: Sendable, Hashable {
        case requests([UUID])
        case allHeld(agency: String?)
    }

    /// Names the order: the ids of what it causes derive from it, so applying it again after a
    /// crash before commit derives the same ones.
    public var orderID: UUID
    public var action: Action
    public var selection: Selection
    public var decision: OperatorDecision
    public var requestedAt: Timestamp

    public init(orderID: UUID = UUID(), action: Action, selection: Selection, decision: OperatorDecision, requestedAt: Timestamp) {
        (self.orderID, self.action, self.selection, self.decision, self.requestedAt) = (orderID, action, selection, decision, requestedAt)
    }
}

/// What an order did to one request it named.
public struct HeldRequestOutcome: Sendable, Hashable, Codable {
    public var requestID: UUID
    public var caseID: String?
    /// `released` (routed), `released_unroutable`, `refused`, or `not_held` / `unknown` when
    /// nothing was done.
    public var outcome: String
    /// The bank it was routed to, when released to one.
    public var bankID: String?
    /// The request's state after the order.
    public var state: String?

    public init(requestID: UUID, caseID: String?, outcome: String, bankID: String?, state: String?) {
        (self.requestID, self.caseID, self.outcome, self.bankID, self.state) = (requestID, caseID, outcome, bankID, state)
    }

    /// Whether the order decided this request (released or refused it).
    public var decided: Bool { outcome != "not_held" && outcome != "unknown" }
}
