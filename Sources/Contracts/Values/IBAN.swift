/// An International Bank Account Number, validated against the country registry and the ISO 13616
/// mod-97 check, kept in electronic format (`KZ86125KZT5004100100`).
///
/// Two ways in:
/// - ``init(_:)`` is what event decoding uses: electronic format only (upper case, no spaces);
/// - ``init(parsing:)`` is for human input: ignores spaces, tabs and no-break spaces, accepts lower case
///   and an optional leading `IBAN` label, then applies the same checks.
public struct IBAN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Electronic format: upper-case letters and digits, no separators.
    public let electronicFormat: String
    /// The country's registry entry.
    public let country: IBANCountry

    /// Validates an IBAN in electronic format.
    public init(_ electronicFormat: String) throws(IBANError) {
        var text = electronicFormat
        self.country = try text.withUTF8(IBAN.validate).get()
        self.electronicFormat = electronicFormat
    }

    /// The registry entry of a valid electronic-format IBAN, or why it is not one.
    private static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<IBANCountry, IBANError> {
        let isAlphanumericUpper = bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
        guard isAlphanumericUpper, (5...34).contains(bytes.count) else { return .failure(.notElectronicFormat) }
        let countryCode = String(decoding: bytes[0..<2], as: UTF8.self)
        guard bytes[0..<2].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }),
            bytes[2..<4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return .failure(.notElectronicFormat) }
        guard let country = IBANCountry.named(countryCode) else { return .failure(.unknownCountry(countryCode)) }
        guard bytes.count == country.length else {
            return .failure(.wrongLength(country: countryCode, expected: country.length, actual: bytes.count))
        }
        for (offset, kind) in country.bbanKinds.enumerated() where !IBANCountry.character(bytes[4 + offset], fits: kind)
        {
            return .failure(.bbanStructure(country: countryCode, format: country.bbanFormat))
        }
        let checkDigits = Int(bytes[2] - 48) * 10 + Int(bytes[3] - 48)
        guard (2...98).contains(checkDigits) else { return .failure(.checkDigitsOutOfRange) }
        guard mod97(bytes) == 1 else { return .failure(.checkDigitsMismatch) }
        return .success(country)
    }

    /// Lenient parsing of human input: `" kz86 125k zt50 0410 0100 "` or `"IBAN KZ86 125K ZT50 0410 0100"`.
    public init(parsing humanInput: String) throws(IBANError) {
        var compact = String(humanInput.unicodeScalars.filter { $0 != " " && $0 != "\t" && $0 != "\u{00A0}" })
        compact = compact.uppercased()
        if compact.hasPrefix("IBAN") { compact.removeFirst(4) }
        try self.init(compact)
    }

    /// Builds the IBAN of a domestic account number: computes the check digits for `bban` in
    /// `countryCode` (for `KZ`: the 3-character bank code followed by the 13-character account).
    public init(countryCode: String, bban: String) throws(IBANError) {
        let placeholder = Array((countryCode.uppercased() + "00" + bban.uppercased()).utf8)
        guard placeholder.count >= 5, placeholder.count <= 34,
            placeholder.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) })
        else { throw .notElectronicFormat }
        let check = 98 - IBAN.mod97(placeholder)
        let digits = check < 10 ? "0\(check)" : "\(check)"
        try self.init(countryCode.uppercased() + digits + bban.uppercased())
    }

    /// Two-letter country code.
    public var countryCode: String { country.code }

    /// The two check digits.
    public var checkDigits: String { String(electronicFormat.dropFirst(2).prefix(2)) }

    /// The Basic Bank Account Number: everything after the check digits.
    public var bban: String { String(electronicFormat.dropFirst(4)) }

    /// The bank identifier, where the registry defines its position (for `KZ`, the 3 digits after the check digits).
    public var bankIdentifier: String? {
        guard let range = country.bankIdentifier else { return nil }
        let bytes = Array(bban.utf8)
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Country code plus bank identifier, e.g. `KZ125` — the key used by ``RoutingDirectory``.
    public var routingCode: String? {
        bankIdentifier.map { countryCode + $0 }
    }

    /// Print format: groups of four separated by spaces (`KZ86 125K ZT50 0410 0100`), for humans only.
    public var printFormat: String {
        var groups: [Substring] = []
        var rest = Substring(electronicFormat)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }

    /// The electronic format.
    public var description: String { electronicFormat }

    /// Orders by electronic format.
    public static func < (lhs: IBAN, rhs: IBAN) -> Bool { lhs.electronicFormat < rhs.electronicFormat }

    /// Decodes from a string in electronic format.
    public init(from decoder: any Decoder) throws {
        self = try ModelCoding.decode(from: decoder, Read.iban)
    }

    /// Encodes the electronic format.
    public func encode(to encoder: any Encoder) throws {
        try ModelCoding.encode(.string(electronicFormat), to: encoder)
    }

    /// ISO 7064 MOD 97-10 over the rearranged IBAN (first four characters moved to the end,
    /// letters as 10...35), computed digit by digit so no big integers are needed.
    static func mod97(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer(mod97)
    }

    static func mod97(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var remainder = 0
        for position in 4..<(bytes.count + 4) {
            let byte = bytes[position < bytes.count ? position : position - bytes.count]
            if byte >= UInt8(ascii: "A") {
                let value = Int(byte - UInt8(ascii: "A")) + 10
                remainder = (remainder * 100 + value) % 97
            } else {
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            }
        }
        return remainder
    }
}

/// Why an IBAN was refused.
public enum IBANError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not 5–34 upper-case letters and digits starting with a country code and two check digits.
    case notElectronicFormat
    /// The country code is not in the registry.
    case unknownCountry(String)
    /// Wrong total length for the country.
    case wrongLength(country: String, expected: Int, actual: Int)
    /// The BBAN does not follow the country's structure.
    case bbanStructure(country: String, format: String)
    /// Check digits 00, 01 and 99 can never result from the algorithm.
    case checkDigitsOutOfRange
    /// The mod-97 check fails: a typo, or digits swapped.
    case checkDigitsMismatch

    /// Plain-words reason.
    public var description: String {
        switch self {
        case .notElectronicFormat:
            return
                "must be an IBAN in electronic format: country code, two check digits, then upper-case letters and digits, no spaces"
        case .unknownCountry(let code):
            return "country code \(code) is not in the IBAN registry"
        case .wrongLength(let country, let expected, let actual):
            return "has \(actual) characters; a \(country) IBAN has \(expected)"
        case .bbanStructure(let country, let format):
            return
                "does not follow the \(country) account structure \(format) (n = digit, a = letter, c = letter or digit)"
        case .checkDigitsOutOfRange:
            return "check digits must be between 02 and 98"
        case .checkDigitsMismatch:
            return "check digits do not match"
        }
    }
}
