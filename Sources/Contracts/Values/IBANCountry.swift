/// One country's IBAN structure from the ISO 13616 registry.
///
/// `bbanFormat` uses the registry notation: `3!n13!c` means exactly 3 digits then exactly 13
/// upper-case letters or digits (`n` digits, `a` upper-case letters, `c` either).
/// `bankIdentifier` is the position of the bank code inside the BBAN, where the registry defines one.
/// The same table is published for integrators as `schemas/iban-countries.json`; a test keeps them equal.
public struct IBANCountry: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 code, e.g. `KZ`.
    public let code: String
    /// English short name.
    public let name: String
    /// Total IBAN length in electronic format.
    public let length: Int
    /// BBAN structure in registry notation.
    public let bbanFormat: String
    /// Offsets of the bank identifier inside the BBAN (for `KZ`: the 3 digits after the check digits).
    public let bankIdentifier: Range<Int>?
    /// Whether the country is in the SEPA scheme.
    public let isSEPA: Bool
    /// The kind (`n`, `a` or `c`, as ASCII) of each BBAN position, from `bbanFormat`: worked out once,
    /// because every IBAN decoded is checked against it.
    let bbanKinds: [UInt8]

    init(code: String, name: String, length: Int, bbanFormat: String, bankIdentifier: Range<Int>?, isSEPA: Bool) {
        self.code = code
        self.name = name
        self.length = length
        self.bbanFormat = bbanFormat
        self.bankIdentifier = bankIdentifier
        self.isSEPA = isSEPA
        self.bbanKinds = Self.segments(of: bbanFormat).flatMap { segment in
            Array(repeating: UInt8(ascii: segment.kind.unicodeScalars.first!), count: segment.count)
        }
    }

    /// Looks a country up by its two-letter code.
    public static func named(_ code: String) -> IBANCountry? {
        byCode[code]
    }

    /// Every country the registry knows, sorted by code.
    public static var all: [IBANCountry] { registry }

    /// The BBAN structure as (count, kind) pairs, kind being `n`, `a` or `c`.
    private static func segments(of bbanFormat: String) -> [(count: Int, kind: Character)] {
        var segments: [(Int, Character)] = []
        var number = 0
        for character in bbanFormat {
            if let digit = character.wholeNumberValue {
                number = number * 10 + digit
            } else if character == "!" {
                continue
            } else {
                segments.append((number, character))
                number = 0
            }
        }
        return segments
    }

    /// Whether one character is allowed by a BBAN segment kind.
    static func character(_ byte: UInt8, fits kind: UInt8) -> Bool {
        let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        let isUpper = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        switch kind {
        case UInt8(ascii: "n"): return isDigit
        case UInt8(ascii: "a"): return isUpper
        default: return isDigit || isUpper
        }
    }

    private static let byCode: [String: IBANCountry] = Dictionary(uniqueKeysWithValues: registry.map { ($0.code, $0) })

    private static let registry: [IBANCountry] = [
        IBANCountry(
            code: "AD", name: "Andorra", length: 24, bbanFormat: "4!n4!n12!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "AE", name: "United Arab Emirates", length: 23, bbanFormat: "3!n16!n", bankIdentifier: 0..<3,
            isSEPA: false),
        IBANCountry(
            code: "AL", name: "Albania", length: 28, bbanFormat: "8!n16!c", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "AT", name: "Austria", length: 20, bbanFormat: "5!n11!n", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "AZ", name: "Azerbaijan", length: 28, bbanFormat: "4!a20!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "BA", name: "Bosnia and Herzegovina", length: 20, bbanFormat: "3!n3!n8!n2!n", bankIdentifier: 0..<3,
            isSEPA: false),
        IBANCountry(
            code: "BE", name: "Belgium", length: 16, bbanFormat: "3!n7!n2!n", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(
            code: "BG", name: "Bulgaria", length: 22, bbanFormat: "4!a4!n2!n8!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "BH", name: "Bahrain", length: 22, bbanFormat: "4!a14!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "BI", name: "Burundi", length: 27, bbanFormat: "5!n5!n11!n2!n", bankIdentifier: 0..<5, isSEPA: false),
        IBANCountry(
            code: "BR", name: "Brazil", length: 29, bbanFormat: "8!n5!n10!n1!a1!c", bankIdentifier: 0..<8, isSEPA: false
        ),
        IBANCountry(
            code: "BY", name: "Belarus", length: 28, bbanFormat: "4!c4!n16!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "CH", name: "Switzerland", length: 21, bbanFormat: "5!n12!c", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "CR", name: "Costa Rica", length: 22, bbanFormat: "4!n14!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "CY", name: "Cyprus", length: 28, bbanFormat: "3!n5!n16!c", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(
            code: "CZ", name: "Czechia", length: 24, bbanFormat: "4!n6!n10!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "DE", name: "Germany", length: 22, bbanFormat: "8!n10!n", bankIdentifier: 0..<8, isSEPA: true),
        IBANCountry(
            code: "DJ", name: "Djibouti", length: 27, bbanFormat: "5!n5!n11!n2!n", bankIdentifier: 0..<5, isSEPA: false),
        IBANCountry(
            code: "DK", name: "Denmark", length: 18, bbanFormat: "4!n9!n1!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "DO", name: "Dominican Republic", length: 28, bbanFormat: "4!c20!n", bankIdentifier: 0..<4,
            isSEPA: false),
        IBANCountry(
            code: "EE", name: "Estonia", length: 20, bbanFormat: "2!n14!n", bankIdentifier: 0..<2, isSEPA: true),
        IBANCountry(
            code: "EG", name: "Egypt", length: 29, bbanFormat: "4!n4!n17!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "ES", name: "Spain", length: 24, bbanFormat: "4!n4!n1!n1!n10!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "FI", name: "Finland", length: 18, bbanFormat: "3!n11!n", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(
            code: "FK", name: "Falkland Islands", length: 18, bbanFormat: "2!a12!n", bankIdentifier: 0..<2,
            isSEPA: false),
        IBANCountry(
            code: "FO", name: "Faroe Islands", length: 18, bbanFormat: "4!n9!n1!n", bankIdentifier: 0..<4, isSEPA: false
        ),
        IBANCountry(
            code: "FR", name: "France", length: 27, bbanFormat: "5!n5!n11!c2!n", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "GB", name: "United Kingdom", length: 22, bbanFormat: "4!a6!n8!n", bankIdentifier: 0..<4, isSEPA: true
        ),
        IBANCountry(
            code: "GE", name: "Georgia", length: 22, bbanFormat: "2!a16!n", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "GI", name: "Gibraltar", length: 23, bbanFormat: "4!a15!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "GL", name: "Greenland", length: 18, bbanFormat: "4!n9!n1!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "GR", name: "Greece", length: 27, bbanFormat: "3!n4!n16!c", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(
            code: "GT", name: "Guatemala", length: 28, bbanFormat: "4!c20!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "HN", name: "Honduras", length: 28, bbanFormat: "4!a20!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "HR", name: "Croatia", length: 21, bbanFormat: "7!n10!n", bankIdentifier: 0..<7, isSEPA: true),
        IBANCountry(
            code: "HU", name: "Hungary", length: 28, bbanFormat: "3!n4!n1!n15!n1!n", bankIdentifier: 0..<3, isSEPA: true
        ),
        IBANCountry(
            code: "IE", name: "Ireland", length: 22, bbanFormat: "4!a6!n8!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "IL", name: "Israel", length: 23, bbanFormat: "3!n3!n13!n", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "IQ", name: "Iraq", length: 23, bbanFormat: "4!a3!n12!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "IS", name: "Iceland", length: 26, bbanFormat: "4!n2!n6!n10!n", bankIdentifier: 0..<2, isSEPA: true),
        IBANCountry(
            code: "IT", name: "Italy", length: 27, bbanFormat: "1!a5!n5!n12!c", bankIdentifier: 1..<6, isSEPA: true),
        IBANCountry(
            code: "JO", name: "Jordan", length: 30, bbanFormat: "4!a4!n18!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "KW", name: "Kuwait", length: 30, bbanFormat: "4!a22!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "KZ", name: "Kazakhstan", length: 20, bbanFormat: "3!n13!c", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "LB", name: "Lebanon", length: 28, bbanFormat: "4!n20!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "LC", name: "Saint Lucia", length: 32, bbanFormat: "4!a24!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "LI", name: "Liechtenstein", length: 21, bbanFormat: "5!n12!c", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "LT", name: "Lithuania", length: 20, bbanFormat: "5!n11!n", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "LU", name: "Luxembourg", length: 20, bbanFormat: "3!n13!c", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(code: "LV", name: "Latvia", length: 21, bbanFormat: "4!a13!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "LY", name: "Libya", length: 25, bbanFormat: "3!n3!n15!n", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "MC", name: "Monaco", length: 27, bbanFormat: "5!n5!n11!c2!n", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "MD", name: "Moldova", length: 24, bbanFormat: "2!c18!c", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "ME", name: "Montenegro", length: 22, bbanFormat: "3!n13!n2!n", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "MK", name: "North Macedonia", length: 19, bbanFormat: "3!n10!c2!n", bankIdentifier: 0..<3,
            isSEPA: false),
        IBANCountry(
            code: "MN", name: "Mongolia", length: 20, bbanFormat: "4!n12!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "MR", name: "Mauritania", length: 27, bbanFormat: "5!n5!n11!n2!n", bankIdentifier: 0..<5,
            isSEPA: false),
        IBANCountry(
            code: "MT", name: "Malta", length: 31, bbanFormat: "4!a5!n18!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "MU", name: "Mauritius", length: 30, bbanFormat: "4!a2!n2!n12!n3!n3!a", bankIdentifier: 0..<6,
            isSEPA: false),
        IBANCountry(
            code: "NI", name: "Nicaragua", length: 28, bbanFormat: "4!a20!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "NL", name: "Netherlands", length: 18, bbanFormat: "4!a10!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "NO", name: "Norway", length: 15, bbanFormat: "4!n6!n1!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(code: "OM", name: "Oman", length: 23, bbanFormat: "3!n16!c", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "PK", name: "Pakistan", length: 24, bbanFormat: "4!a16!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(code: "PL", name: "Poland", length: 28, bbanFormat: "8!n16!n", bankIdentifier: 0..<8, isSEPA: true),
        IBANCountry(
            code: "PS", name: "Palestine", length: 29, bbanFormat: "4!a21!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "PT", name: "Portugal", length: 25, bbanFormat: "4!n4!n11!n2!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(code: "QA", name: "Qatar", length: 29, bbanFormat: "4!a21!c", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "RO", name: "Romania", length: 24, bbanFormat: "4!a16!c", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "RS", name: "Serbia", length: 22, bbanFormat: "3!n13!n2!n", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "RU", name: "Russia", length: 33, bbanFormat: "9!n5!n15!c", bankIdentifier: 0..<9, isSEPA: false),
        IBANCountry(
            code: "SA", name: "Saudi Arabia", length: 24, bbanFormat: "2!n18!c", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "SC", name: "Seychelles", length: 31, bbanFormat: "4!a2!n2!n16!n3!a", bankIdentifier: 0..<6,
            isSEPA: false),
        IBANCountry(code: "SD", name: "Sudan", length: 18, bbanFormat: "2!n12!n", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "SE", name: "Sweden", length: 24, bbanFormat: "3!n16!n1!n", bankIdentifier: 0..<3, isSEPA: true),
        IBANCountry(
            code: "SI", name: "Slovenia", length: 19, bbanFormat: "5!n8!n2!n", bankIdentifier: 0..<5, isSEPA: true),
        IBANCountry(
            code: "SK", name: "Slovakia", length: 24, bbanFormat: "4!n6!n10!n", bankIdentifier: 0..<4, isSEPA: true),
        IBANCountry(
            code: "SM", name: "San Marino", length: 27, bbanFormat: "1!a5!n5!n12!c", bankIdentifier: 1..<6, isSEPA: true
        ),
        IBANCountry(
            code: "SO", name: "Somalia", length: 23, bbanFormat: "4!n3!n12!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "ST", name: "Sao Tome and Principe", length: 25, bbanFormat: "4!n4!n11!n2!n", bankIdentifier: 0..<4,
            isSEPA: false),
        IBANCountry(
            code: "SV", name: "El Salvador", length: 28, bbanFormat: "4!a20!n", bankIdentifier: 0..<4, isSEPA: false),
        IBANCountry(
            code: "TL", name: "Timor-Leste", length: 23, bbanFormat: "3!n14!n2!n", bankIdentifier: 0..<3, isSEPA: false),
        IBANCountry(
            code: "TN", name: "Tunisia", length: 24, bbanFormat: "2!n3!n13!n2!n", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "TR", name: "Turkey", length: 26, bbanFormat: "5!n1!n16!c", bankIdentifier: 0..<5, isSEPA: false),
        IBANCountry(
            code: "UA", name: "Ukraine", length: 29, bbanFormat: "6!n19!c", bankIdentifier: 0..<6, isSEPA: false),
        IBANCountry(
            code: "VA", name: "Vatican City State", length: 22, bbanFormat: "3!n15!n", bankIdentifier: 0..<3,
            isSEPA: true),
        IBANCountry(
            code: "VG", name: "Virgin Islands (British)", length: 24, bbanFormat: "4!a16!n", bankIdentifier: 0..<4,
            isSEPA: false),
        IBANCountry(
            code: "XK", name: "Kosovo", length: 20, bbanFormat: "4!n10!n2!n", bankIdentifier: 0..<2, isSEPA: false),
        IBANCountry(
            code: "YE", name: "Yemen", length: 30, bbanFormat: "4!a4!n18!c", bankIdentifier: 0..<4, isSEPA: false),
    ]
}
