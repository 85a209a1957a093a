/// A Business Identifier Code (ISO 9362), 8 or 11 characters, upper case:
/// 4 letters institution, 2 letters country, 2 letters/digits location, optional 3 letters/digits branch.
///
/// An 11-character BIC ending in `XXX` names the primary office and is the same institution as its
/// 8-character form; ``primaryOffice`` gives that 8-character form for lookups.
public struct BIC: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The code as given (8 or 11 characters).
    public let code: String

    /// Validates a BIC (upper case, no spaces).
    public init(_ code: String) throws(BICError) {
        var text = code
        let valid = text.withUTF8 { bytes in
            let isLetter = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
            let isAlphanumeric = { (byte: UInt8) in
                isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            return (bytes.count == 8 || bytes.count == 11) && bytes[0..<6].allSatisfy(isLetter)
                && bytes[6...].allSatisfy(isAlphanumeric)
        }
        guard valid else { throw .invalid }
        self.code = code
    }

    /// The first 8 characters: institution, country and location.
    public var primaryOffice: String { String(code.prefix(8)) }

    /// The 3-character branch code, if any (`XXX` means the primary office).
    public var branch: String? { code.count == 11 ? String(code.suffix(3)) : nil }

    /// The two-letter country code inside the BIC.
    public var countryCode: String { String(code.dropFirst(4).prefix(2)) }

    /// The code.
    public var description: String { code }

    /// Orders by code.
    public static func < (lhs: BIC, rhs: BIC) -> Bool { lhs.code < rhs.code }

    /// Decodes from a string.
    public init(from decoder: any Decoder) throws {
        self = try ModelCoding.decode(from: decoder, Read.bic)
    }

    /// Encodes as a string.
    public func encode(to encoder: any Encoder) throws {
        try ModelCoding.encode(.string(code), to: encoder)
    }
}

/// Why a BIC was refused.
public enum BICError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not 8 or 11 upper-case characters of the right kinds.
    case invalid

    /// Plain-words reason.
    public var description: String {
        "must be a BIC: 8 or 11 upper-case characters, 6 letters (bank and country) then letters or digits"
    }
}
