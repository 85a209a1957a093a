import Contracts
import Foundation

/// What made the relay act: a consumed record, a timer, or an operator command. Recorded in
/// the audit trail and used to derive the ids of everything emitted as a result.
public struct Cause: Sendable, Hashable, CustomStringConvertible {
    public enum Origin: Sendable, Hashable {
        case record(topic: String, partition: Int32, offset: Int64)
        case timer(deadlineID: String)
        case command(String)
    }

    public var origin: Origin
    /// The id of the causing event: the incoming event's id, or a stable id for timers and commands.
    public var eventID: UUID

    public init(origin: Origin, eventID: UUID) {
        self.origin = origin
        self.eventID = eventID
    }

    /// A consumed record whose event id is known (or derived from its position when the record
    /// could not be decoded).
    public static func record(topic: String, partition: Int32, offset: Int64, eventID: UUID?) -> Cause {
        let id = eventID ?? DeterministicIDs.eventID(
            cause: DeterministicIDs.namespace, kind: "record:\(topic):\(partition):\(offset)")
        return Cause(origin: .record(topic: topic, partition: partition, offset: offset), eventID: id)
    }

    /// A deadline firing.
    public static func timer(_ deadline: Deadline) -> Cause {
        Cause(origin: .timer(deadlineID: deadline.id),
              eventID: DeterministicIDs.eventID(cause: deadline.requestID, kind: "deadline:\(deadline.id)"))
    }

    /// An operator command, such as `retry-unroutable`; `nonce` keeps separate invocations apart.
    public static func command(_ name: String, nonce: String) -> Cause {
        Cause(origin: .command(name), eventID: DeterministicIDs.eventID(cause: DeterministicIDs.namespace, kind: "command:\(name):\(nonce)"))
    }

    public var description: String {
        switch origin {
        case let .record(topic, partition, offset): "\(topic)/\(partition)@\(offset)"
        case let .timer(id): "timer \(id)"
        case let .command(name): "command \(name)"
        }
    }

    /// A stable id for what this cause emits, named by `kind`.
    public func derivedID(_ kind: String) -> UUID {
        DeterministicIDs.eventID(cause: eventID, kind: kind)
    }
}
