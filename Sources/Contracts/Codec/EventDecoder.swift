import Foundation

/// What can arrive on the police topic (`freeze.requests`).
public enum PoliceMessage: Sendable, Hashable {
    /// A `freeze_request`.
    case request(FreezeRequest)
    /// A `freeze_cancel`.
    case cancel(FreezeCancel)

    /// The request id both kinds carry (and which is the Kafka key).
    public var requestID: UUID {
        switch self {
        case .request(let request): return request.requestID
        case .cancel(let cancel): return cancel.requestID
        }
    }
}

/// Strict decoding of raw Kafka message values into events.
///
/// Every entry point takes the raw bytes, never traps, and either returns a fully validated event or
/// throws one ``ContractError`` naming the first offending field. What is refused besides the schema
/// rules: more than ``maxInputBytes`` bytes, invalid UTF-8, a byte order mark, duplicate keys, nesting
/// deeper than ``maxNestingDepth``, NaN/Infinity, lone surrogate escapes, trailing data.
/// Unknown fields are ignored (forward compatibility), at every level.
public enum EventDecoder {
    /// Largest accepted message, 4 MiB: enough for a dead letter carrying a 1 MiB message in base64.
    public static let maxInputBytes = 4 * 1024 * 1024
    /// Deepest accepted nesting of arrays and objects (real events need 5).
    public static let maxNestingDepth = 64

    /// Decodes anything that may arrive on the police topic: a freeze request or a cancel.
    public static func decodePoliceMessage(_ bytes: [UInt8]) throws(ContractError) -> PoliceMessage {
        let event = try decode(
            bytes, accepting: [.freezeRequest, .freezeCancel], place: "on the police requests topic")
        switch event {
        case .freezeRequest(let request): return .request(request)
        case .freezeCancel(let cancel): return .cancel(cancel)
        default: throw unreachable(event)
        }
    }

    /// Decodes anything that may arrive on the police topic: a freeze request or a cancel.
    public static func decodePoliceMessage(_ data: Data) throws(ContractError) -> PoliceMessage {
        try decodePoliceMessage([UInt8](data))
    }

    /// Decodes a message from a bank responses topic.
    public static func decodeBankResponse(_ bytes: [UInt8]) throws(ContractError) -> BankResponse {
        let event = try decode(bytes, accepting: [.bankResponse], place: "on a bank responses topic")
        guard case .bankResponse(let response) = event else { throw unreachable(event) }
        return response
    }

    /// Decodes any event type (for tools and tests).
    public static func decodeEvent(_ bytes: [UInt8]) throws(ContractError) -> Event {
        try decode(bytes, accepting: nil, place: nil)
    }

    /// Decodes one specific event type; any other type is refused with code `wrong_topic`.
    public static func decode<E: ContractEvent>(_ type: E.Type, from bytes: [UInt8]) throws(ContractError) -> E {
        let event = try decode(bytes, accepting: [E.eventType], place: "here")
        guard let typed = event.payload as? E else { throw unreachable(event) }
        return typed
    }

    static func decode(_ bytes: [UInt8], accepting: [EventType]?, place: String?) throws(ContractError) -> Event {
        guard bytes.count <= maxInputBytes else {
            throw ContractError(
                code: .tooLarge, path: nil,
                reason: "message has \(bytes.count) bytes; the limit is \(maxInputBytes)")
        }
        let value = try JSONParser.parse(bytes, maxDepth: maxNestingDepth)
        return try validate(value, accepting: accepting, place: place)
    }

    static func validate(_ value: JSONValue, accepting: [EventType]?, place: String?) throws(ContractError) -> Event {
        do {
            return try EventCodec.read(value, at: .root, accepting: accepting, place: place)
        } catch let error as ContractError {
            throw error
        } catch {
            // The readers throw only ContractError; this keeps the typed-throws promise if that ever changes.
            throw ContractError(code: .schemaViolation, path: nil, reason: "\(error)")
        }
    }

    private static func unreachable(_ event: Event) -> ContractError {
        ContractError(code: .wrongTopic, path: "type", reason: "unexpected event type \(event.type.rawValue)")
    }
}
