import Foundation

/// One Kafka header: a name and raw bytes.
public struct MessageHeader: Sendable, Hashable {
    /// Header name.
    public let name: String
    /// Header value (UTF-8 text for all headers the relay writes).
    public let value: [UInt8]

    /// Creates a header.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// Creates a header with a UTF-8 text value.
    public init(name: String, text: String) {
        self.init(name: name, value: Array(text.utf8))
    }

    /// The value as UTF-8 text, when it is valid UTF-8.
    public var text: String? { String(validating: value, as: UTF8.self) }
}

/// The headers the relay puts on every message it produces, so consumers can route, trace and
/// deduplicate without parsing the body.
///
/// - `content-type`: `application/json`
/// - `fr-event-type`: the event `type`
/// - `fr-schema-version`: the schema `version`
/// - `fr-event-id`: the envelope `id`
/// - `fr-request-id`: the request the event is about (absent for dead letters)
/// - `fr-case-id`: the police case (when the event carries it)
/// - `fr-correlation-id`: the case id when known, else the request id, else the event id. The case
///   is the unit police and operators follow across chains, banks and topics, so it is the natural
///   thread through everything.
/// - `fr-causation-id`: the id of the event that caused this one (absent when none).
public enum MessageHeaders {
    /// `content-type`
    public static let contentType = "content-type"
    /// `fr-event-type`
    public static let eventType = "fr-event-type"
    /// `fr-schema-version`
    public static let schemaVersion = "fr-schema-version"
    /// `fr-event-id`
    public static let eventID = "fr-event-id"
    /// `fr-request-id`
    public static let requestID = "fr-request-id"
    /// `fr-case-id`
    public static let caseID = "fr-case-id"
    /// `fr-correlation-id`
    public static let correlationID = "fr-correlation-id"
    /// `fr-causation-id`
    public static let causationID = "fr-causation-id"

    /// The headers for a produced event, in a fixed order. `causationID` defaults to the event's own
    /// `caused_by` for status events.
    public static func headers(for event: Event, causationID: UUID? = nil) -> [MessageHeader] {
        var headers = [
            MessageHeader(name: contentType, text: "application/json"),
            MessageHeader(name: eventType, text: event.type.rawValue),
            MessageHeader(name: schemaVersion, text: String(event.type.currentVersion)),
            MessageHeader(name: eventID, text: CanonicalUUID.string(event.id)),
        ]
        if let request = event.requestID {
            headers.append(MessageHeader(name: requestID, text: CanonicalUUID.string(request)))
        }
        if let caseID = event.caseID {
            headers.append(MessageHeader(name: Self.caseID, text: caseID))
        }
        let correlation = event.caseID ?? event.requestID.map(CanonicalUUID.string) ?? CanonicalUUID.string(event.id)
        headers.append(MessageHeader(name: correlationID, text: correlation))
        var cause = causationID
        if cause == nil, case .requestStatus(let status) = event { cause = status.causedBy }
        if let cause {
            headers.append(MessageHeader(name: Self.causationID, text: CanonicalUUID.string(cause)))
        }
        return headers
    }

    /// The headers for a produced event.
    public static func headers(for event: some ContractEvent, causationID: UUID? = nil) -> [MessageHeader] {
        headers(for: event.asEvent, causationID: causationID)
    }

    /// The first header named `name`, as text.
    public static func value(named name: String, in headers: [MessageHeader]) -> String? {
        headers.first { $0.name == name }?.text
    }
}
