import Foundation

/// The `type` field of every event.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    /// Police → relay: freeze an account.
    case freezeRequest = "freeze_request"
    /// Police → relay: withdraw a freeze request.
    case freezeCancel = "freeze_cancel"
    /// Relay → bank: a freeze request with deadlines.
    case routedRequest = "routed_request"
    /// Relay → bank: a cancellation.
    case routedCancel = "routed_cancel"
    /// Bank → relay: an answer to a routed request.
    case bankResponse = "bank_response"
    /// Relay → police: a state change of a request.
    case requestStatus = "request_status"
    /// Relay → operators: something needs a human.
    case escalation = "escalation"
    /// Relay → operators: an escalation no longer needs a human.
    case escalationResolved = "escalation_resolved"
    /// Relay → operators: a message the relay could not process.
    case deadLetter = "dead_letter"
    /// Relay → operators: intake stopped reading a partition, or an operator re-based it.
    case intakeNotice = "intake_notice"
    /// Relay → operators: a request names an account other police cases named too.
    case linkedAccount = "linked_account"

    /// Schema versions this build reads and writes for the type.
    public var supportedVersions: [Int] { [1] }

    /// The version this build writes.
    public var currentVersion: Int { 1 }
}

/// Common surface of all event structs.
public protocol ContractEvent: Sendable, Hashable, Codable {
    /// The `type` this struct models.
    static var eventType: EventType { get }
    /// The envelope `id`: unique per event.
    var id: UUID { get }
    /// The envelope `created_at`: when the producer created the event.
    var createdAt: Timestamp { get }
    /// Wraps the event in the ``Event`` enum.
    var asEvent: Event { get }
}

/// Internal half of an event model: reading and writing the fields beyond the envelope.
protocol EventBody: ContractEvent, CanonicalObject {
    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws
    func writeBody(into body: inout ObjectWriter)
}

extension EventBody {
    /// The full JSON object, envelope included.
    func write(into writer: inout ObjectWriter) {
        writeBody(into: &writer)
        writer.string("type", Self.eventType.rawValue)
        writer.integer("version", Self.eventType.currentVersion)
        writer.uuid("id", id)
        writer.timestamp("created_at", createdAt)
    }

    static func decodeFromCodable(_ decoder: any Decoder) throws -> Self {
        try ModelCoding.decode(from: decoder) { value, path in
            let event = try EventCodec.read(value, at: path, accepting: [eventType])
            guard let typed = event.payload as? Self else {
                throw ContractError(code: .wrongTopic, path: "type", reason: "expected \(eventType.rawValue)")
            }
            return typed
        }
    }
}
