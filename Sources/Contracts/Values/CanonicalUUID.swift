import Foundation

/// The one textual form of a UUID in the contracts: lower-case, hyphenated, 36 characters.
///
/// Only this form is accepted: ids are idempotency keys and Kafka message keys, and
/// `A1B2…` versus `a1b2…` would otherwise be two different keys for the same request.
///
/// Both directions are done here by table rather than through Foundation, whose text form goes
/// through `printf`/`scanf` and upper case: ids are converted several times per record.
public enum CanonicalUUID {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`, lower case.
    public static func string(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { write(uuid, into: $0) }
    }

    /// Appends the canonical text, without quotes.
    static func append(_ uuid: UUID, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
            let count = write(uuid, into: buffer)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the 36 characters to the start of `buffer`; returns how many.
    private static func write(_ uuid: UUID, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var out = 0
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[out] = UInt8(ascii: "-")
                    out += 1
                }
                buffer[out] = hexDigits[Int(byte >> 4)]
                buffer[out + 1] = hexDigits[Int(byte & 0x0F)]
                out += 2
            }
            return out
        }
    }

    /// Parses the canonical lower-case form only; returns `nil` for anything else (upper case, braces, URNs).
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses the canonical lower-case form from UTF-8 bytes.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed: Bool = withUnsafeMutableBytes(of: &value) { out in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard bytes[position] == UInt8(ascii: "-") else { return false }
                    position += 1
                }
                guard let high = nibble(bytes[position]), let low = nibble(bytes[position + 1]) else { return false }
                out[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return parsed ? UUID(uuid: value) : nil
    }

    /// The value of a lower-case hex digit.
    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
