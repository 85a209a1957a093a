import Foundation

/// Name-based UUIDs, version 5 (RFC 9562 section 5.5): the same namespace and name always give the
/// same UUID, so ids derived by the relay survive restarts and replays without being stored first.
public enum UUIDv5 {
    /// RFC 9562 namespace for DNS names.
    public static let dnsNamespace = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
    /// RFC 9562 namespace for URLs.
    public static let urlNamespace = UUID(uuidString: "6ba7b811-9dad-11d1-80b4-00c04fd430c8")!

    /// The version 5 UUID of `name` (its UTF-8 bytes) in `namespace`.
    public static func make(namespace: UUID, name: String) -> UUID {
        make(namespace: namespace, name: Array(name.utf8))
    }

    /// The version 5 UUID of raw `name` bytes in `namespace`.
    public static func make(namespace: UUID, name: [UInt8]) -> UUID {
        let namespaceBytes = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        var hash = SHA1.hash(namespaceBytes + name)
        hash[6] = (hash[6] & 0x0F) | 0x50  // version 5
        hash[8] = (hash[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
                hash[8], hash[9], hash[10], hash[11], hash[12], hash[13], hash[14], hash[15]
            ))
    }
}

/// The ids the relay derives instead of drawing at random, so that reprocessing the same input
/// produces the same outputs (and Kafka consumers can deduplicate on them).
public enum DeterministicIDs {
    /// The relay's own namespace, itself derived so anyone can recompute it:
    /// `UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "freeze-relay.contracts")`.
    public static let namespace = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "freeze-relay.contracts")

    /// The request id of the chain request that follows an onward transfer: a function of the
    /// parent request and the transfer's reference, so a repeated `funds_moved` answer names the same child.
    public static func childRequestID(parent: UUID, transferReference: String) -> UUID {
        // The parent's canonical form has a fixed length, so "parent + reference" cannot be ambiguous.
        UUIDv5.make(namespace: namespace, name: "child-request:\(CanonicalUUID.string(parent)):\(transferReference)")
    }

    /// The id of an event the relay emits because of another event: `kind` names what is emitted
    /// (e.g. `routed_request`, `request_status:acknowledged`, `escalation:ack_overdue:1`).
    public static func eventID(cause: UUID, kind: String) -> UUID {
        UUIDv5.make(namespace: namespace, name: "event:\(CanonicalUUID.string(cause)):\(kind)")
    }
}
