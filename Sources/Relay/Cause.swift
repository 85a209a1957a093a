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
    /// The id of the causing event, named as the cause of everything emitted (`fr-causation-id`,
    /// `caused_by`, audit): the incoming event's envelope id, or a stable id for timers and commands.
    public var eventID: UUID
    /// What the ids of everything emitted are derived from. For a record, its position — never
    /// its envelope id, which the sender chooses and may repeat; otherwise the same as `eventID`.
    public var derivationSeed: UUID

    public init(origin: Origin, eventID: UUID, derivationSeed: UUID? = nil) {
        self.origin = origin
        self.eventID = eventID
        self.derivationSeed = derivationSeed ?? eventID
    }

    /// A consumed record. `eventID` is its envelope id, when it could be decoded; ids derived
    /// from the record come from its position (topic, partition, offset), so two records never
    /// share them whatever their senders wrote. `epoch` tells apart records at a re-used position
    /// (a partition re-based after its offsets went backwards); epoch 0 derives the ids it always did.
    public static func record(topic: String, partition: Int32, offset: Int64, eventID: UUID?, epoch: Int64 = 0) -> Cause
    {
        let position = "record:\(topic):\(partition):\(offset)" + (epoch == 0 ? "" : ":epoch:\(epoch)")
        let seed = DeterministicIDs.eventID(cause: DeterministicIDs.namespace, kind: position)
        return Cause(
            origin: .record(topic: topic, partition: partition, offset: offset), eventID: eventID ?? seed,
            derivationSeed: seed)
    }

    /// A deadline firing.
    public static func timer(_ deadline: Deadline) -> Cause {
        Cause(
            origin: .timer(deadlineID: deadline.id),
            eventID: DeterministicIDs.eventID(cause: deadline.requestID, kind: "deadline:\(deadline.id)"))
    }

    /// An operator command, such as `retry-unroutable`; `nonce` keeps separate invocations apart.
    public static func command(_ name: String, nonce: String) -> Cause {
        Cause(
            origin: .command(name),
            eventID: DeterministicIDs.eventID(cause: DeterministicIDs.namespace, kind: "command:\(name):\(nonce)"))
    }

    public var description: String {
        switch origin {
        case .record(let topic, let partition, let offset): "\(topic)/\(partition)@\(offset)"
        case .timer(let id): "timer \(id)"
        case .command(let name): "command \(name)"
        }
    }

    /// A stable id for what this cause emits, named by `kind`.
    public func derivedID(_ kind: String) -> UUID {
        DeterministicIDs.eventID(cause: derivationSeed, kind: kind)
    }
}
