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

/// Content of an event for idempotency: the SHA-256 of its canonical JSON minus the envelope
/// `id` and `created_at` (which differ between two sends of the same thing) and minus unknown
/// fields (which the models never keep).
///
/// Same request id and equal fingerprints: a duplicate, ignore it. Same request id and different
/// fingerprints: a conflicting duplicate, refuse it. The ledger keeps the 32-byte digest, not the
/// few hundred bytes of content; a collision would need SHA-256 to fail.
public struct ContentFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// SHA-256 of the canonical content (32 bytes).
    public let digest: [UInt8]

    /// The fingerprint of canonical content (see ``canonicalContent(of:)``).
    public init(canonicalBytes: [UInt8]) {
        self.digest = SHA256Hasher.hash(canonicalBytes)
    }

    /// A fingerprint the ledger kept: a 32-byte digest, or, in rows written before digests were
    /// kept, the canonical content itself (always longer: the smallest event is far over 32 bytes).
    public init(stored: [UInt8]) {
        self.digest = stored.count == 32 ? stored : SHA256Hasher.hash(stored)
    }

    /// Computes the fingerprint of any event.
    public init(_ event: some ContractEvent) {
        self.init(event.asEvent)
    }

    /// Computes the fingerprint of any event.
    public init(_ event: Event) {
        self.init(canonicalBytes: Self.canonicalContent(of: event))
    }

    /// Canonical JSON of the event without `id` and `created_at`: what the digest is taken of.
    public static func canonicalContent(of event: Event) -> [UInt8] {
        ObjectWriter.canonicalBytes(omitting: ["id", "created_at"]) { event.write(into: &$0) }
    }

    /// The digest as 64 lower-case hex digits (logs and audit lines show a prefix).
    public var hex: String {
        digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The hex digest.
    public var description: String { hex }
}

extension ContractEvent {
    /// See ``ContentFingerprint``.
    public var contentFingerprint: ContentFingerprint { ContentFingerprint(self) }
}
