/// Text that is already HTML: built only by escaping, by the page templates' literal markup,
/// or by joining other `HTML`. Every value read from the ledger is attacker-controlled (case
/// ids, reasons, bank ids, payloads come from police and bank messages), so the only way to put
/// a `String` into a page is through `HTML.escape`.
public struct HTML: Sendable, Hashable, CustomStringConvertible {
    /// The markup.
    public let markup: String

    /// Literal markup written in this target's templates. Never call it with ledger text.
    init(literal markup: String) { self.markup = markup }

    public var description: String { markup }

    /// `text` with `& < > " '` replaced by entities: safe in element content and in quoted
    /// attribute values alike.
    public static func escape(_ text: String) -> HTML {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters have no business in a page; a visible mark keeps the length.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return HTML(literal: out)
    }

    /// Pieces joined without a separator.
    static func join(_ parts: [HTML], separator: String = "") -> HTML {
        HTML(literal: parts.map(\.markup).joined(separator: separator))
    }
}

extension HTML: ExpressibleByStringInterpolation {
    /// Template literals: the literal segments are markup, every interpolated `String` is
    /// escaped, interpolated `HTML` is kept as it is.
    public init(stringLiteral value: String) { self.markup = value }

    public init(stringInterpolation: Interpolation) { self.markup = stringInterpolation.markup }

    public struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { markup += literal }
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text).markup }
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        public mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        public mutating func appendInterpolation(_ number: Int64) { markup += String(number) }
    }
}
