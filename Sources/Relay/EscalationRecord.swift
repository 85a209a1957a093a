import Contracts
import Foundation

/// An escalation raised for a request and not yet resolved. One escalation per request and kind:
/// later levels re-raise the same escalation id, so an operator's view shows one row climbing
/// levels, and one `escalation_resolved` closes it.
public struct EscalationRecord: Sendable, Hashable {
    public var escalationID: UUID
    public var kind: EscalationKind
    public var level: Int
    public var requestID: UUID
    public var caseID: String?
    public var bankID: BankID?
    public var raisedAt: Timestamp
    /// When the current level was raised.
    public var levelRaisedAt: Timestamp
    public var deadline: Timestamp?
    public var detail: String

    public init(
        escalationID: UUID, kind: EscalationKind, level: Int, requestID: UUID, caseID: String?, bankID: BankID?,
        raisedAt: Timestamp, levelRaisedAt: Timestamp, deadline: Timestamp?, detail: String
    ) {
        self.escalationID = escalationID
        self.kind = kind
        self.level = level
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.raisedAt = raisedAt
        self.levelRaisedAt = levelRaisedAt
        self.deadline = deadline
        self.detail = detail
    }

    /// The escalation id for a request and kind, the same on every run.
    public static func id(requestID: UUID, kind: EscalationKind) -> UUID {
        DeterministicIDs.eventID(cause: requestID, kind: "escalation:\(kind.rawValue)")
    }
}

/// An escalation closed by this decision.
public struct EscalationClosure: Sendable, Hashable {
    public var escalationID: UUID
    public var resolution: EscalationResolution
    public var resolvedAt: Timestamp

    public init(escalationID: UUID, resolution: EscalationResolution, resolvedAt: Timestamp) {
        self.escalationID = escalationID
        self.resolution = resolution
        self.resolvedAt = resolvedAt
    }
}
