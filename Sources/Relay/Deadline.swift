import Contracts
import Foundation

/// What a deadline watches.
public enum DeadlineKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The bank must answer at all (acknowledge) by then.
    case acknowledge
    /// The bank must give a final answer (freeze, reject, not found, moved) by then.
    case freeze
    /// A bank's hold lapses at the deadline; warn operators ahead of it.
    case holdExpiry = "hold_expiry"

    /// The escalation raised when the deadline passes unmet.
    public var escalationKind: EscalationKind {
        switch self {
        case .acknowledge: .ackOverdue
        case .freeze: .freezeOverdue
        case .holdExpiry: .holdExpiring
        }
    }
}

/// A durable timer: at `dueAt`, the relay checks whether `deadline` was met and escalates at
/// `level` if not. Level 1 is due at the deadline itself; higher levels at the configured steps
/// after it (for hold expiry, level 1 is due a warning period *before* the deadline).
public struct Deadline: Sendable, Hashable, Identifiable {
    /// Stable id: the same request, kind, level and deadline always give the same id, so
    /// scheduling twice is harmless and firing is recorded once. The deadline is written to the
    /// millisecond, as the ledger stores it (`1796173435.982`; whole seconds as before,
    /// `1796173435`): two holds of one request a few milliseconds apart are two timers.
    public var id: String
    public var requestID: UUID
    public var kind: DeadlineKind
    public var level: Int
    /// The SLA deadline (or hold end) this timer is about.
    public var deadline: Timestamp
    /// When the timer fires.
    public var dueAt: Timestamp

    public init(requestID: UUID, kind: DeadlineKind, level: Int, deadline: Timestamp, dueAt: Timestamp) {
        self.id = "\(CanonicalUUID.string(requestID))/\(kind.rawValue)/\(level)/\(Self.idText(of: deadline))"
        self.requestID = requestID
        self.kind = kind
        self.level = level
        self.deadline = deadline
        self.dueAt = dueAt
    }

    /// Seconds since the epoch, with the milliseconds after a point unless there are none (ids
    /// of whole-second deadlines are what they were before milliseconds were written).
    static func idText(of instant: Timestamp) -> String {
        let milliseconds = instant.nanoseconds / 1_000_000
        guard milliseconds > 0 else { return "\(instant.secondsSinceEpoch)" }
        let digits = String(milliseconds)
        return "\(instant.secondsSinceEpoch)." + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Restores a deadline read from storage, keeping its stored id.
    public init(id: String, requestID: UUID, kind: DeadlineKind, level: Int, deadline: Timestamp, dueAt: Timestamp) {
        self.id = id
        self.requestID = requestID
        self.kind = kind
        self.level = level
        self.deadline = deadline
        self.dueAt = dueAt
    }
}
