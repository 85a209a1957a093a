import Foundation

/// The one textual form of a UUID in the contracts: lower-case, hyphenated, 36 characters.
///
/// Only this form is accepted: ids are idempotency keys and Kafka message keys, and
/// `A1B2…` versus `a1b2…` would otherwise be two different keys for the same request.
public enum CanonicalUUID {
    /// `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`, lower case.
    public static func string(_ uuid: UUID) -> String {
        uuid.uuidString.lowercased()
    }

    /// Parses the canonical lower-case form only; returns `nil` for anything else (upper case, braces, URNs).
    public static func parse(_ text: String) -> UUID? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (position, byte) in bytes.enumerated() {
            switch position {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return nil }
            default:
                let isLowerHex = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                guard isLowerHex else { return nil }
            }
        }
        return UUID(uuidString: text)
    }
}
