import Contracts
import Foundation

/// A decision tried to queue an event under an id the outbox already holds for a different event
/// (another type, topic, key, payload or headers). Ids are derived so that this cannot happen;
/// when it does, it is a bug, and keeping either event silently would hide the other. Thrown
/// before anything of the decision was written.
public struct OutboxConflict: Error, Sendable, Hashable, CustomStringConvertible {
    /// The id both events carry.
    public var eventID: UUID
    /// The type of the event that was refused.
    public var eventType: String
    /// What differs: `event type`, `topic`, `key`, `payload`, `headers`.
    public var differences: [String]

    public var description: String {
        "event \(CanonicalUUID.string(eventID)) (\(eventType)) is already queued with a different \(differences.joined(separator: ", ")); the decision was not written"
    }

    /// The conflict between `queued` and `refused`, or `nil` when they are the same event.
    init?(queued: OutboxMessage, refused: OutboxMessage) {
        var differences: [String] = []
        if queued.eventType != refused.eventType { differences.append("event type") }
        if queued.topic != refused.topic { differences.append("topic") }
        if queued.key != refused.key { differences.append("key") }
        if queued.payload != refused.payload { differences.append("payload") }
        if queued.headers.map(\.name) != refused.headers.map(\.name)
            || queued.headers.map(\.value) != refused.headers.map(\.value)
        {
            differences.append("headers")
        }
        guard !differences.isEmpty else { return nil }
        self.init(eventID: refused.eventID, eventType: refused.eventType, differences: differences)
    }

    init(eventID: UUID, eventType: String, differences: [String]) {
        self.eventID = eventID
        self.eventType = eventType
        self.differences = differences
    }
}
