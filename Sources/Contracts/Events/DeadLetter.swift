import Foundation

/// `dead_letter` — relay → operators on `freeze.deadletter`, Kafka key = the original key (or none).
///
/// A message the relay could not process, kept byte for byte (base64) with a precise reason, so it
/// can be inspected and replayed. `key_base64` and `value_base64` are `null` when the original
/// message had no key or was a tombstone (no value).
public struct DeadLetter: ContractEvent, EventBody {
    /// `dead_letter`
    public static let eventType = EventType.deadLetter

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// Where the message was read.
    public var source: Source
    /// The original key bytes, `nil` when it had none.
    public var key: [UInt8]?
    /// The original value bytes, `nil` for a tombstone. Only the first bytes when `valueTruncated`.
    public var value: [UInt8]?
    /// The value was too large to carry whole (dead letters must stay publishable): `value` holds
    /// its beginning and `valueSize` its full size.
    public var valueTruncated: Bool = false
    /// The full size of the original value in bytes, given when it was truncated.
    public var valueSize: Int?
    /// The original headers.
    public var headers: [Header]
    /// Why it was dead-lettered.
    public var reason: Reason
    /// When.
    public var deadLetteredAt: Timestamp

    /// Creates a dead letter.
    public init(id: UUID, createdAt: Timestamp, source: Source, key: [UInt8]?, value: [UInt8]?, headers: [Header] = [],
                reason: Reason, deadLetteredAt: Timestamp) {
        self.id = id
        self.createdAt = createdAt
        self.source = source
        self.key = key
        self.value = value
        self.headers = headers
        self.reason = reason
        self.deadLetteredAt = deadLetteredAt
    }

    /// Topic, partition and offset of the original message.
    public struct Source: Sendable, Hashable {
        /// Kafka topic name.
        public var topic: String
        /// Partition, 0 ... 2^31-1.
        public var partition: Int
        /// Offset, 0 ... 2^63-1.
        public var offset: Int64

        /// Creates a source.
        public init(topic: String, partition: Int, offset: Int64) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    /// One original Kafka header.
    public struct Header: Sendable, Hashable {
        /// Header name.
        public var name: String
        /// Header value bytes, `nil` for a header without a value.
        public var value: [UInt8]?

        /// Creates a header.
        public init(name: String, value: [UInt8]?) {
            self.name = name
            self.value = value
        }
    }

    /// Why the message was refused.
    public struct Reason: Sendable, Hashable {
        /// Classification.
        public var code: DeadLetterCode
        /// The offending field path, `nil` when no single field is at fault.
        public var path: String?
        /// Plain-words explanation.
        public var message: String

        /// Creates a reason.
        public init(code: DeadLetterCode, path: String?, message: String) {
            self.code = code
            self.path = path
            self.message = message
        }

        /// The reason for a decoding failure: its code, path and full description.
        public init(_ error: ContractError) {
            self.init(code: DeadLetterCode(error.code), path: error.path, message: error.description)
        }
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        source = try body.required("source") { value, path in
            let fields = try ObjectReader(value, at: path)
            return Source(
                topic: try fields.required("topic", DeadLetter.readTopic),
                partition: try fields.required("partition", Read.integer(in: 0...Int64(Int32.max))),
                offset: Int64(try fields.required("offset", Read.integer(in: 0...Int64.max))))
        }
        key = try body.nullable("key_base64", Read.base64)
        value = try body.nullable("value_base64", Read.base64)
        valueTruncated = try body.optional("value_truncated", Read.boolean) ?? false
        valueSize = try body.optional("value_size", Read.integer(in: 0...Int64(Int32.max))).map { Int($0) }
        if valueTruncated { try body.demand("value_size", "when value_truncated is true") }
        headers = try body.optional("headers", Read.list(maxItems: ContractLimits.maxListItems) { value, path in
            let fields = try ObjectReader(value, at: path)
            return Header(name: try fields.required("name", DeadLetter.readHeaderName),
                          value: try fields.nullable("value_base64", Read.base64))
        }) ?? []
        reason = try body.required("reason") { value, path in
            let fields = try ObjectReader(value, at: path)
            return Reason(
                code: try fields.required("code", Read.enumeration(DeadLetterCode.self)),
                path: try fields.nullable("path", Read.label(maxLength: 512)),
                message: try fields.required("message", Read.text(maxLength: ContractLimits.detail)))
        }
        deadLetteredAt = try body.required("dead_lettered_at", Read.timestamp)
    }

    func writeBody(into body: inout ObjectWriter) {
        body["source"] = .object([
            "topic": .string(source.topic),
            "partition": .integer(source.partition),
            "offset": .number(JSONNumber(source.offset)),
        ])
        body["key_base64"] = key.map { .string(Base64.encode($0)) } ?? .null
        body["value_base64"] = value.map { .string(Base64.encode($0)) } ?? .null
        if valueTruncated { body["value_truncated"] = .bool(true) }
        body["value_size"] = valueSize.map { .integer($0) }
        if !headers.isEmpty {
            body["headers"] = .array(headers.map { header in
                .object(["name": .string(header.name),
                         "value_base64": header.value.map { .string(Base64.encode($0)) } ?? .null])
            })
        }
        body["reason"] = .object([
            "code": .string(reason.code.rawValue),
            "path": reason.path.map(JSONValue.string) ?? .null,
            "message": .string(reason.message),
        ])
        body["dead_lettered_at"] = .timestamp(deadLetteredAt)
    }

    /// Kafka's legal topic names: 1–249 of `A–Z a–z 0–9 . _ -`.
    static func readTopic(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        guard TopicNames.isLegalTopicName(text) else {
            throw ContractError.violation(path, "must be a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -")
        }
        return text
    }

    /// Any string up to 1024 characters: header names are copied as received.
    static func readHeaderName(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        guard text.unicodeScalars.count <= 1024 else {
            throw ContractError.violation(path, "must be at most 1024 characters")
        }
        return text
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .deadLetter(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// `reason.code` of a dead letter. The first six are the ``ContractError/Code`` values; the rest are
/// refusals the relay makes after decoding.
public enum DeadLetterCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Not one well-formed JSON document.
    case invalidJSON = "invalid_json"
    /// Over the size limit.
    case tooLarge = "too_large"
    /// Breaks the schema.
    case schemaViolation = "schema_violation"
    /// Unknown `type`.
    case unknownType = "unknown_type"
    /// Unsupported `version`.
    case unsupportedVersion = "unsupported_version"
    /// A known type on the wrong topic.
    case wrongTopic = "wrong_topic"
    /// The Kafka message had no key where one is required.
    case missingKey = "missing_key"
    /// The Kafka key differs from the event's `request_id`.
    case keyMismatch = "key_mismatch"
    /// Same request id (or response id) as an earlier message, different content.
    case conflictingDuplicate = "conflicting_duplicate"
    /// Refers to a request the relay does not know.
    case unknownRequest = "unknown_request"
    /// A bank answered a request that was not routed to it.
    case foreignResponse = "foreign_response"
    /// The answer is not allowed in the request's current state.
    case invalidTransition = "invalid_transition"

    /// The dead-letter code for a decoding failure.
    public init(_ code: ContractError.Code) {
        // The raw values are shared by construction; the fallback is unreachable.
        self = DeadLetterCode(rawValue: code.rawValue) ?? .schemaViolation
    }
}
