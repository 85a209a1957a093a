import Foundation

/// Deterministic encoding of events: the same event always gives the same bytes, and only
/// bytes the schemas accept.
///
/// Output is canonical JSON (sorted keys, no whitespace, `/` unescaped, UTF-8), with canonical
/// money strings (``Money/value``), canonical timestamps (``Timestamp/rfc3339``), lower-case UUIDs,
/// and optional fields left out when `nil` (never written as `null`). Before returning, the encoded
/// value is run through the same validation as decoding, so a model holding an invalid value
/// (an over-long case id, say) is refused here, naming the field, instead of reaching Kafka.
/// The models write their bytes directly (``ObjectWriter``); validation reads those bytes back.
public enum EventEncoder {
    /// Encodes and validates an event.
    public static func encode(_ event: Event) throws(ContractError) -> [UInt8] {
        let bytes = event.canonicalBytes
        _ = try EventDecoder.validate(
            JSONParser.parse(bytes, maxDepth: EventDecoder.maxNestingDepth), accepting: [event.type], place: nil)
        return bytes
    }

    /// Encodes and validates an event.
    public static func encode(_ event: some ContractEvent) throws(ContractError) -> [UInt8] {
        try encode(event.asEvent)
    }

    /// Encodes an event the relay built from values that already passed the contract (decoded
    /// input, configuration, its own derivations). Debug builds — every test — validate it as
    /// `encode` does, so a model that can produce an invalid event fails the tests; release builds
    /// skip that second decoding, which cost about a tenth of the relay's time per record.
    public static func encodeTrusted(_ event: Event) throws(ContractError) -> [UInt8] {
        #if DEBUG
            return try encode(event)
        #else
            return event.canonicalBytes
        #endif
    }
}

/// Canonical content of an event for idempotency: the encoded event minus the envelope `id` and
/// `created_at` (which differ between two sends of the same thing) and minus unknown fields
/// (which the models never keep).
///
/// Same request id and equal fingerprints: a duplicate, ignore it. Same request id and different
/// fingerprints: a conflicting duplicate, refuse it. Compare ``canonicalBytes`` for certainty;
/// ``sha1Hex`` is a compact stand-in for logs and audit lines (not a security boundary).
public struct ContentFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// Canonical JSON of the event without `id` and `created_at`.
    public let canonicalBytes: [UInt8]

    /// A fingerprint stored earlier (the ledger keeps the canonical bytes).
    public init(canonicalBytes: [UInt8]) {
        self.canonicalBytes = canonicalBytes
    }

    /// Computes the fingerprint of any event.
    public init(_ event: some ContractEvent) {
        self.init(event.asEvent)
    }

    /// Computes the fingerprint of any event.
    public init(_ event: Event) {
        self.canonicalBytes = ObjectWriter.canonicalBytes(omitting: ["id", "created_at"]) { event.write(into: &$0) }
    }

    /// SHA-1 of ``canonicalBytes`` as 40 lower-case hex digits.
    public var sha1Hex: String {
        SHA1.hash(canonicalBytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The SHA-1 hex digest.
    public var description: String { sha1Hex }
}

extension ContractEvent {
    /// See ``ContentFingerprint``.
    public var contentFingerprint: ContentFingerprint { ContentFingerprint(self) }
}
