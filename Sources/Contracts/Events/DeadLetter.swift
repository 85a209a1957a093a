import Foundation

/// `dead_letter` — relay → operators on `freeze.deadletter`, Kafka key = the original key (or none).
///
/// A message the relay could not process, kept byte for byte (base64) with a precise reason, so it
/// can be inspected and replayed. `key_base64` and `value_base64` are `null` when the original
/// message had no key or was a tombstone (no value).
///
/// A dead letter must itself be publishable whatever the record held, so what does not fit
/// ``DeadLetterLimits`` is cut and the cut is stated: `key_truncated`/`key_size`,
/// `value_truncated`/`value_size`, `headers_truncated`/`headers_count`, and per header
/// `value_truncated`/`value_size` (header names are cut with a note in the name itself).
/// `content_omitted` marks the minimal form written when the relay failed on the record
/// (`internal_error`): no key, value or headers at all.
public struct DeadLetter: ContractEvent, EventBody {
    /// `dead_letter`
    public static let eventType = EventType.deadLetter

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// Where the message was read.
    public var source: Source
    /// The original key bytes, `nil` when it had none. Only the first bytes when `keyTruncated`.
    public var key: [UInt8]?
    /// The key was too large to carry whole: `key` holds its beginning and `keySize` its full size.
    public var keyTruncated: Bool = false
    /// The full size of the original key in bytes, given when it was truncated.
    public var keySize: Int?
    /// The original value bytes, `nil` for a tombstone. Only the first bytes when `valueTruncated`.
    public var value: [UInt8]?
    /// The value was too large to carry whole (dead letters must stay publishable): `value` holds
    /// its beginning and `valueSize` its full size.
    public var valueTruncated: Bool = false
    /// The full size of the original value in bytes, given when it was truncated.
    public var valueSize: Int?
    /// The original headers, in order; only the first ones when `headersTruncated`.
    public var headers: [Header]
    /// Headers were left out (too many, or too large together): `headersCount` is how many the
    /// original message had.
    public var headersTruncated: Bool = false
    /// The number of headers of the original message, given when some were left out.
    public var headersCount: Int?
    /// The minimal form: the relay failed on the record itself (`internal_error`), so key, value
    /// and headers are left out (`null`, `null`, absent); `source` says where to find them.
    public var contentOmitted: Bool = false
    /// Why it was dead-lettered.
    public var reason: Reason
    /// When.
    public var deadLetteredAt: Timestamp

    /// Creates a dead letter.
    public init(
        id: UUID, createdAt: Timestamp, source: Source, key: [UInt8]?, value: [UInt8]?, headers: [Header] = [],
        reason: Reason, deadLetteredAt: Timestamp
    ) {
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
        /// Header name, control characters escaped, cut with a note when too long.
        public var name: String
        /// Header value bytes, `nil` for a header without a value. Only the first bytes when `valueTruncated`.
        public var value: [UInt8]?
        /// The value was too large to carry whole: `valueSize` is its full size.
        public var valueTruncated: Bool = false
        /// The full size of the original value in bytes, given when it was truncated.
        public var valueSize: Int?
        /// The name's exact bytes (at most the first ``DeadLetterLimits/headerNameBytes``), given
        /// when they are not valid UTF-8; `name` then shows them with each invalid sequence
        /// replaced by U+FFFD.
        public var nameBytes: [UInt8]?

        /// Creates a header.
        public init(
            name: String, value: [UInt8]?, valueTruncated: Bool = false, valueSize: Int? = nil,
            nameBytes: [UInt8]? = nil
        ) {
            self.name = name
            self.value = value
            self.valueTruncated = valueTruncated
            self.valueSize = valueSize
            self.nameBytes = nameBytes
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
        (keyTruncated, keySize) = try Self.readCut(body, flag: "key_truncated", size: "key_size")
        value = try body.nullable("value_base64", Read.base64)
        (valueTruncated, valueSize) = try Self.readCut(body, flag: "value_truncated", size: "value_size")
        headers =
            try body.optional(
                "headers",
                Read.list(maxItems: ContractLimits.maxListItems) { value, path in
                    let fields = try ObjectReader(value, at: path)
                    let (truncated, size) = try Self.readCut(fields, flag: "value_truncated", size: "value_size")
                    return Header(
                        name: try fields.required("name", DeadLetter.readHeaderName),
                        value: try fields.nullable("value_base64", Read.base64), valueTruncated: truncated,
                        valueSize: size,
                        nameBytes: try fields.optional("name_base64", Read.base64))
                }) ?? []
        (headersTruncated, headersCount) = try Self.readCut(body, flag: "headers_truncated", size: "headers_count")
        contentOmitted = try body.optional("content_omitted", Read.boolean) ?? false
        if contentOmitted {
            if key != nil {
                throw ContractError.violation(
                    body.path.appending("key_base64"), "must be null when content_omitted is true")
            }
            if value != nil {
                throw ContractError.violation(
                    body.path.appending("value_base64"), "must be null when content_omitted is true")
            }
            try body.forbid("headers", "when content_omitted is true")
        }
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
        body.object("source") { fields in
            fields.string("topic", source.topic)
            fields.integer("partition", source.partition)
            fields.integer("offset", source.offset)
        }
        body.stringOrNull("key_base64", key.map(Base64.encode))
        Self.writeCut(keyTruncated, keySize, flag: "key_truncated", size: "key_size", into: &body)
        body.stringOrNull("value_base64", value.map(Base64.encode))
        Self.writeCut(valueTruncated, valueSize, flag: "value_truncated", size: "value_size", into: &body)
        body.list("headers", headers) { header, fields in
            fields.string("name", header.name)
            fields.string("name_base64", header.nameBytes.map(Base64.encode))
            fields.stringOrNull("value_base64", header.value.map(Base64.encode))
            Self.writeCut(
                header.valueTruncated, header.valueSize, flag: "value_truncated", size: "value_size", into: &fields)
        }
        Self.writeCut(headersTruncated, headersCount, flag: "headers_truncated", size: "headers_count", into: &body)
        if contentOmitted { body.bool("content_omitted", true) }
        body.object("reason") { fields in
            fields.string("code", reason.code.rawValue)
            fields.stringOrNull("path", reason.path)
            fields.string("message", reason.message)
        }
        body.timestamp("dead_lettered_at", deadLetteredAt)
    }

    /// A statement that something was cut: the flag (absent means `false`) and the original size or
    /// count, which the flag makes required.
    static func readCut(_ fields: ObjectReader, flag: String, size: String) throws -> (Bool, Int?) {
        let truncated = try fields.optional(flag, Read.boolean) ?? false
        let original = try fields.optional(size, Read.integer(in: 0...Int64(Int32.max)))
        if truncated { try fields.demand(size, "when \(flag) is true") }
        return (truncated, original)
    }

    static func writeCut(
        _ truncated: Bool, _ original: Int?, flag: StaticString, size: StaticString, into fields: inout ObjectWriter
    ) {
        if truncated { fields.bool(flag, true) }
        fields.integer(size, original)
    }

    /// Kafka's legal topic names: 1–249 of `A–Z a–z 0–9 . _ -`.
    static func readTopic(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        guard TopicNames.isLegalTopicName(text) else {
            throw ContractError.violation(path, "must be a Kafka topic name: 1 to 249 of A-Z a-z 0-9 . _ -")
        }
        return text
    }

    /// Any string up to 1024 characters: header names are copied as received (the relay escapes
    /// control characters and cuts long names to ``DeadLetterLimits/headerNameCharacters``).
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
/// refusals the relay makes after decoding, and its own failure on a record.
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
    /// The relay failed on the record itself (a bug, such as an event it built that its own
    /// contract refuses): the dead letter is in its minimal form, `content_omitted`.
    case internalError = "internal_error"
    /// An order without the signature its issuer's policy requires.
    case signatureMissing = "signature_missing"
    /// An order whose signature is malformed or does not verify over the record's value.
    case signatureInvalid = "signature_invalid"
    /// An order signed with a key id the issuer registry does not hold.
    case unknownKey = "unknown_key"
    /// An order issued outside its signing key's validity window.
    case keyExpired = "key_expired"
    /// An order signed by an issuer that may not sign for the order's agency.
    case issuerNotAllowed = "issuer_not_allowed"
    /// A signed order read longer after its issue than the relay's maximum order age, or issued in the future.
    case orderExpired = "order_expired"

    /// The dead-letter code for a decoding failure.
    public init(_ code: ContractError.Code) {
        // The raw values are shared by construction; the fallback is unreachable.
        self = DeadLetterCode(rawValue: code.rawValue) ?? .schemaViolation
    }
}
