/// The relay's name for a bank, e.g. `halyk` or `kaspi`: `^[a-z0-9][a-z0-9_-]{0,31}$`.
///
/// It becomes part of Kafka topic names (`freeze.bank.<bank_id>.requests`), so it is restricted
/// to characters Kafka allows and excludes `.`, which separates the topic name's parts.
public struct BankID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The identifier.
    public let rawValue: String

    /// Validates a bank id.
    public init(_ rawValue: String) throws(BankIDError) {
        var text = rawValue
        let valid = text.withUTF8 { bytes in
            let isLowerOrDigit = { (byte: UInt8) in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            return (1...32).contains(bytes.count) && isLowerOrDigit(bytes[0])
                && bytes.dropFirst().allSatisfy {
                    isLowerOrDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                }
        }
        guard valid else { throw BankIDError(rawValue: rawValue) }
        self.rawValue = rawValue
    }

    /// The identifier.
    public var description: String { rawValue }

    /// Orders by identifier.
    public static func < (lhs: BankID, rhs: BankID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes from a string.
    public init(from decoder: any Decoder) throws {
        self = try ModelCoding.decode(from: decoder, Read.bankID)
    }

    /// Encodes as a string.
    public func encode(to encoder: any Encoder) throws {
        try ModelCoding.encode(.string(rawValue), to: encoder)
    }
}

/// A bank id that breaks the naming rule.
public struct BankIDError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The refused value.
    public let rawValue: String

    /// Plain-words reason.
    public var description: String {
        "must be a bank id: 1 to 32 characters, lower-case letters, digits, '_' or '-', starting with a letter or digit"
    }
}
