import Foundation

/// An amount of money in one currency, exact to 1/10000, never negative.
///
/// On the wire: `{"value": "1250000.00", "currency": "KZT"}` where `value` is a decimal string
/// (no sign, no exponent, no leading zeros except a lone `0`, at most 18 integer and 4 fraction
/// digits) and `currency` is three upper-case letters (ISO 4217 alphabetic code).
///
/// Stored as integer part plus ten-thousandths, so sums and differences are exact without any
/// floating point. The canonical string keeps at least two fraction digits and drops further
/// trailing zeros: `"1250000"` → `"1250000.00"`, `"12.5000"` → `"12.50"`, `"0.125"` stays.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whole units, 0 ..< 10^18.
    public let wholeUnits: UInt64
    /// Ten-thousandths of a unit, 0 ... 9999.
    public let tenThousandths: UInt16
    /// ISO 4217 alphabetic code, three upper-case letters.
    public let currency: String

    static let wholeUnitLimit: UInt64 = 1_000_000_000_000_000_000  // 10^18, exclusive

    /// Parses a decimal string in the contract form and a currency code.
    public init(value: String, currency: String) throws(MoneyError) {
        guard Money.isCurrencyCode(currency) else { throw .invalidCurrency(currency) }
        guard let (whole, fraction) = Money.parseDecimal(value) else { throw .invalidValue(value) }
        self.wholeUnits = whole
        self.tenThousandths = fraction
        self.currency = currency
    }

    /// An amount from its parts; throws when out of range.
    public init(wholeUnits: UInt64, tenThousandths: UInt16 = 0, currency: String) throws(MoneyError) {
        guard Money.isCurrencyCode(currency) else { throw .invalidCurrency(currency) }
        guard wholeUnits < Money.wholeUnitLimit, tenThousandths <= 9999 else { throw .outOfRange }
        self.wholeUnits = wholeUnits
        self.tenThousandths = tenThousandths
        self.currency = currency
    }

    /// A Foundation `Decimal` amount; throws when negative, beyond 18 integer digits, or finer than 1/10000.
    public init(_ decimal: Decimal, currency: String) throws(MoneyError) {
        guard !decimal.isNaN, decimal >= 0 else { throw .invalidValue("\(decimal)") }
        // Decimal's description is plain positional notation; drop insignificant trailing zeros
        // so that e.g. 1.500000 is read as 1.5 rather than refused for having six decimals.
        var text = decimal.description
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        try self.init(value: text, currency: currency)
    }

    /// Zero in a currency.
    public static func zero(_ currency: String) throws(MoneyError) -> Money {
        try Money(wholeUnits: 0, currency: currency)
    }

    /// True when the amount is exactly zero.
    public var isZero: Bool { wholeUnits == 0 && tenThousandths == 0 }

    /// The canonical decimal string (at least two fraction digits, no further trailing zeros).
    public var value: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendValue(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``value``'s text.
    func appendValue(to output: inout [UInt8]) {
        CanonicalOutput.appendDigits(of: wholeUnits, minimumWidth: 1, to: &output)
        output.append(UInt8(ascii: "."))
        let fraction = UInt64(tenThousandths)
        if fraction % 100 == 0 {
            CanonicalOutput.appendDigits(of: fraction / 100, minimumWidth: 2, to: &output)
        } else if fraction % 10 == 0 {
            CanonicalOutput.appendDigits(of: fraction / 10, minimumWidth: 3, to: &output)
        } else {
            CanonicalOutput.appendDigits(of: fraction, minimumWidth: 4, to: &output)
        }
    }

    /// The amount as a Foundation `Decimal` (exact: at most 22 significant digits).
    public var decimal: Decimal {
        Decimal(wholeUnits) + Decimal(Int(tenThousandths)) / 10_000
    }

    /// `1250000.00 KZT`
    public var description: String { "\(value) \(currency)" }

    /// Exact sum; throws on different currencies or when the result exceeds 18 integer digits.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        var fraction = UInt32(tenThousandths) + UInt32(other.tenThousandths)
        var carry: UInt64 = 0
        if fraction > 9999 {
            fraction -= 10_000
            carry = 1
        }
        let whole = wholeUnits + other.wholeUnits + carry  // both < 10^18, so no UInt64 overflow
        return try Money(wholeUnits: whole, tenThousandths: UInt16(fraction), currency: currency)
    }

    /// Exact difference; throws on different currencies or when `other` is larger (money is never negative).
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        guard try compare(to: other) != .orderedAscending else { throw .negativeResult }
        var whole = wholeUnits - other.wholeUnits
        var fraction = Int32(tenThousandths) - Int32(other.tenThousandths)
        if fraction < 0 {
            fraction += 10_000
            whole -= 1
        }
        return try Money(wholeUnits: whole, tenThousandths: UInt16(fraction), currency: currency)
    }

    /// Like ``subtracting(_:)`` but stops at zero instead of throwing when `other` is larger.
    public func subtractingClampedAtZero(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        if try compare(to: other) == .orderedAscending { return try Money.zero(currency) }
        return try subtracting(other)
    }

    /// Orders two amounts of the same currency; throws on different currencies, which have no order.
    public func compare(to other: Money) throws(MoneyError) -> ComparisonResult {
        try requireSameCurrency(other)
        if (wholeUnits, tenThousandths) < (other.wholeUnits, other.tenThousandths) { return .orderedAscending }
        if (wholeUnits, tenThousandths) > (other.wholeUnits, other.tenThousandths) { return .orderedDescending }
        return .orderedSame
    }

    /// Exact sum of amounts in `currency` (zero for an empty list).
    public static func sum(_ amounts: some Sequence<Money>, currency: String) throws(MoneyError) -> Money {
        var total = try Money.zero(currency)
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    private func requireSameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
    }

    /// Decodes `{"value": …, "currency": …}` with the contract rules (zero allowed).
    public init(from decoder: any Decoder) throws {
        self = try ModelCoding.decode(from: decoder) { try Read.money($0, $1, positive: false) }
    }

    /// Encodes `{"currency": …, "value": …}` with the canonical value string.
    public func encode(to encoder: any Encoder) throws {
        try ModelCoding.encode(json, to: encoder)
    }

    static func isCurrencyCode(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.count == 3 && bytes.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        }
    }

    /// `^(0|[1-9][0-9]{0,17})(\.[0-9]{1,4})?$`, returned as (whole, ten-thousandths).
    static func parseDecimal(_ text: String) -> (UInt64, UInt16)? {
        var text = text
        return text.withUTF8 { bytes in
            let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
            var index = 0
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let integerDigits = index
            guard integerDigits > 0, integerDigits <= 18 else { return nil }
            if integerDigits > 1, bytes[0] == UInt8(ascii: "0") { return nil }
            var whole: UInt64 = 0
            for byte in bytes[..<integerDigits] { whole = whole * 10 + UInt64(byte - 48) }
            var fraction: UInt16 = 0
            if index < bytes.count {
                guard bytes[index] == UInt8(ascii: ".") else { return nil }
                let fractionDigits = bytes[(index + 1)...]
                guard (1...4).contains(fractionDigits.count), fractionDigits.allSatisfy(isDigit) else { return nil }
                for byte in fractionDigits { fraction = fraction * 10 + UInt16(byte - 48) }
                for _ in fractionDigits.count..<4 { fraction *= 10 }
            }
            return (whole, fraction)
        }
    }
}

extension Money: CanonicalObject {
    /// `{"currency": …, "value": …}` with the canonical value string.
    func write(into writer: inout ObjectWriter) {
        writer.string("currency", currency)
        writer.asciiString("value", appendValue)
    }
}

/// Why an amount was refused or an operation on amounts failed.
public enum MoneyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a decimal string in the contract form.
    case invalidValue(String)
    /// Not three upper-case letters.
    case invalidCurrency(String)
    /// More than 18 integer digits.
    case outOfRange
    /// A subtraction would go below zero.
    case negativeResult
    /// Arithmetic or comparison across currencies.
    case currencyMismatch(String, String)

    /// Plain-words reason.
    public var description: String {
        switch self {
        case .invalidValue:
            return "must be a decimal string like \"1250.50\": digits with an optional point and 1 to 4 decimals, "
                + "no sign, exponent, spaces or leading zeros, at most 18 integer digits"
        case .invalidCurrency:
            return "must be an ISO 4217 currency code: three upper-case letters like \"KZT\""
        case .outOfRange:
            return "exceeds 18 integer digits"
        case .negativeResult:
            return "the result would be negative"
        case .currencyMismatch(let first, let second):
            return "cannot combine \(first) with \(second)"
        }
    }
}
