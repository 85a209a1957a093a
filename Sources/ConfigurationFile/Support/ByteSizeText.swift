/// Parses and formats sizes as written in the configuration: a whole number of bytes
/// (`1048576`) or a whole number with a binary unit, `KiB`, `MiB`, `GiB` or `TiB` (`256MiB`).
///
/// Decimal units (`MB`) are refused rather than guessed: whether `256MB` means 256·10⁶ or
/// 256·2²⁰ bytes is exactly the kind of doubt a limit should not leave.
public enum ByteSizeText {
    private static let units: [(symbol: String, bytes: Int64)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1),
    ]

    /// Parses `text` (surrounding whitespace, and spaces between number and unit, are ignored).
    /// Returns the size in bytes, or why the text is not one.
    public static func parse(_ text: String) -> Result<Int64, ByteSizeTextError> {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let symbol = String(trimmed.dropFirst(digits.count)).trimmingWhitespace()
        guard !digits.isEmpty else {
            return .failure(
                ByteSizeTextError(
                    text: trimmed,
                    explanation:
                        "expected a whole number of bytes, or one with a unit (KiB, MiB, GiB, TiB), e.g. 256MiB"))
        }
        let multiplier: Int64
        if symbol.isEmpty {
            multiplier = 1
        } else if let unit = units.first(where: { $0.symbol == symbol }) {
            multiplier = unit.bytes
        } else {
            return .failure(
                ByteSizeTextError(
                    text: trimmed,
                    explanation:
                        "unknown unit \"\(symbol)\"; use KiB, MiB, GiB or TiB (binary units), or a plain number of bytes"
                ))
        }
        guard let quantity = Int64(digits) else {
            return .failure(ByteSizeTextError(text: trimmed, explanation: "is too large"))
        }
        let (bytes, overflow) = quantity.multipliedReportingOverflow(by: multiplier)
        return overflow ? .failure(ByteSizeTextError(text: trimmed, explanation: "is too large")) : .success(bytes)
    }

    /// The canonical text: the largest unit that divides `bytes` exactly (`268435456` gives
    /// `"256MiB"`, `1000` gives `"1000B"`).
    public static func format(_ bytes: Int64) -> String {
        let unit = units.first { bytes != 0 && bytes % $0.bytes == 0 } ?? ("B", 1)
        return "\(bytes / unit.bytes)\(unit.symbol)"
    }
}

/// Why a size text was refused.
public struct ByteSizeTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was refused, trimmed.
    public var text: String
    public var explanation: String

    public var description: String { "invalid size \"\(text)\": \(explanation)" }
}
