/// Parses and formats durations as written in the configuration: `500ms`, `30s`, `15m`,
/// `2h`, `1d` and combinations such as `1h30m`.
///
/// Quantities are whole numbers; units go from largest to smallest, each at most once, so
/// that every duration has one canonical spelling (the one `format` produces). Negative
/// durations are refused: nothing in freeze-relay's configuration can be negative.
public enum DurationText {
    /// A unit the text form knows, largest first.
    private struct Unit {
        let symbol: String
        let milliseconds: Int64
    }

    private static let units: [Unit] = [
        Unit(symbol: "d", milliseconds: 86_400_000),
        Unit(symbol: "h", milliseconds: 3_600_000),
        Unit(symbol: "m", milliseconds: 60_000),
        Unit(symbol: "s", milliseconds: 1_000),
        Unit(symbol: "ms", milliseconds: 1),
    ]

    /// Parses `text` (surrounding whitespace is ignored).
    ///
    /// `DurationText.parse("1h30m") == .seconds(5400)`; `"0s"` parses to `.zero` (callers
    /// decide whether zero makes sense).
    public static func parse(_ text: String) throws(DurationTextError) -> Duration {
        let trimmed = text.trimmingWhitespace()
        func fail(_ reason: DurationTextError.Reason) -> DurationTextError {
            DurationTextError(text: trimmed, reason: reason)
        }
        guard !trimmed.isEmpty else { throw fail(.empty) }
        if trimmed.hasPrefix("-") { throw fail(.negative) }

        var rest = Substring(trimmed)
        var total: Int64 = 0
        var previousUnitIndex = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { throw fail(.expectedNumber) }
            rest = rest.dropFirst(digits.count)
            if rest.first == "." || rest.first == "," { throw fail(.fractional) }
            let symbol = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(symbol.count)
            guard !symbol.isEmpty else { throw fail(.missingUnit) }
            guard let unitIndex = units.firstIndex(where: { $0.symbol == symbol }) else {
                throw fail(.unknownUnit(String(symbol)))
            }
            guard unitIndex > previousUnitIndex else { throw fail(.unitOrder) }
            previousUnitIndex = unitIndex
            guard let quantity = Int64(digits) else { throw fail(.overflow) }
            let (part, overflowA) = quantity.multipliedReportingOverflow(by: units[unitIndex].milliseconds)
            let (sum, overflowB) = total.addingReportingOverflow(part)
            if overflowA || overflowB { throw fail(.overflow) }
            total = sum
        }
        return .milliseconds(total)
    }

    /// The canonical text for `duration`: `.seconds(5400)` gives `"1h30m"`, zero gives `"0s"`.
    ///
    /// Precision is one millisecond; anything finer is dropped. Negative durations get a
    /// leading `-` (which `parse` refuses).
    public static func format(_ duration: Duration) -> String {
        if duration < .zero { return "-" + format(.zero - duration) }
        let (seconds, attoseconds) = duration.components
        // Split the whole seconds first so that huge durations cannot overflow a millisecond count.
        var remainingSeconds = seconds
        var text = ""
        for unit in units where unit.milliseconds >= 1_000 {
            let unitSeconds = unit.milliseconds / 1_000
            let quantity = remainingSeconds / unitSeconds
            remainingSeconds %= unitSeconds
            if quantity > 0 { text += "\(quantity)\(unit.symbol)" }
        }
        let milliseconds = attoseconds / 1_000_000_000_000_000
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return text.isEmpty ? "0s" : text
    }
}

/// Why a duration text was refused.
public struct DurationTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case negative
        case expectedNumber
        case fractional
        case missingUnit
        case unknownUnit(String)
        case unitOrder
        case overflow
    }

    /// The text that was refused, trimmed.
    public var text: String
    public var reason: Reason

    public init(text: String, reason: Reason) {
        self.text = text
        self.reason = reason
    }

    /// Why, without quoting the text (callers add it where it is safe to show).
    public var explanation: String {
        switch reason {
        case .empty: "is empty"
        case .negative: "must not be negative"
        case .expectedNumber: "expected a whole number followed by a unit (ms, s, m, h, d), e.g. 30s or 1h30m"
        case .fractional: "fractions are not supported; combine units instead, e.g. 1h30m rather than 1.5h"
        case .missingUnit: "a number lacks its unit (ms, s, m, h or d), e.g. 300s rather than 300"
        case .unknownUnit(let symbol): "unknown unit \"\(symbol)\"; use ms, s, m, h or d"
        case .unitOrder: "units must go from largest to smallest, each at most once, e.g. 1h30m"
        case .overflow: "is too large"
        }
    }

    public var description: String { "invalid duration \"\(text)\": \(explanation)" }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
