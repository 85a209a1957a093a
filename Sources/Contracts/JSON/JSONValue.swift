/// A parsed JSON document, kept close to the wire so nothing is lost before validation.
///
/// Numbers keep their literal text (see ``JSONNumber``) so that `1.0`, `1e400` and
/// `123456789012345678901234567890` are judged on what was sent, not on what a `Double` makes of them.
/// Objects are ``JSONObject``s, members sorted by key: the parser refuses duplicate keys, so no
/// information is dropped.
public enum JSONValue: Sendable, Hashable {
    /// `null`
    case null
    /// `true` or `false`
    case bool(Bool)
    /// A number, as its literal text.
    case number(JSONNumber)
    /// A string (always valid Unicode).
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; key order is not significant (members are kept in canonical order).
    case object(JSONObject)

    /// Parses exactly one JSON document from UTF-8 bytes, with the strict rules of ``EventDecoder``
    /// (no duplicate keys, no byte order mark, no NaN/Infinity, valid UTF-8, bounded nesting).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = EventDecoder.maxNestingDepth) throws(ContractError)
        -> JSONValue
    {
        try JSONParser.parse(bytes, maxDepth: maxDepth)
    }

    /// Deterministic serialization: keys sorted by UTF-8 bytes, no insignificant whitespace,
    /// `/` not escaped, non-ASCII written as UTF-8, only `"`, `\` and control characters escaped.
    public var canonicalBytes: [UInt8] {
        JSONSerializer.serialize(self)
    }

    /// Short name of the JSON kind, used in error messages ("must be a string, got number").
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON number kept as its validated literal text.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal exactly as it appeared (or as produced by ``init(_:)``).
    public let literal: String

    /// What a literal means for fields declared as integers.
    enum IntegerReading: Equatable {
        /// Mathematically an integer that fits `Int64` (JSON Schema counts `1.0` and `1e2` as integers too).
        case integer(Int64)
        /// Mathematically an integer, but beyond `Int64`.
        case outOfRange(negative: Bool)
        /// Has a non-zero fractional part.
        case fractional
    }

    init(validatedLiteral: String) {
        self.literal = validatedLiteral
    }

    /// A number with an integer value.
    public init(_ value: Int64) {
        self.literal = String(value)
    }

    /// The literal text.
    public var description: String { literal }

    /// The value when it is an integer that fits `Int64`, else `nil`.
    public var int64Value: Int64? {
        if case .integer(let value) = integerReading { return value }
        return nil
    }

    /// Exact reading of the literal as an integer, without going through floating point.
    var integerReading: IntegerReading {
        var text = literal
        if let plain = text.withUTF8(Self.plainInteger) { return .integer(plain) }
        let bytes = Array(literal.utf8)
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        var fractionCount = 0
        while index < bytes.count, isDigit(bytes[index]) {
            digits.append(bytes[index] &- 48)
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                digits.append(bytes[index] &- 48)
                fractionCount += 1
                index += 1
            }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < bytes.count, isDigit(bytes[index]) {
                // Saturate: anything beyond a million is decided by the sign alone.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[index] &- 48) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard let firstNonZero = digits.firstIndex(where: { $0 != 0 }) else { return .integer(0) }
        var significant = Array(digits[firstNonZero...])
        var scale = exponent - fractionCount
        while let last = significant.last, last == 0 {
            significant.removeLast()
            scale += 1
        }
        if scale < 0 { return .fractional }
        if significant.count + scale > 19 { return .outOfRange(negative: negative) }
        var magnitude: UInt64 = 0
        for digit in significant {
            magnitude = magnitude * 10 + UInt64(digit)
        }
        for _ in 0..<scale {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return .outOfRange(negative: negative) }
            magnitude = product
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return .outOfRange(negative: true) }
            return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        if magnitude > UInt64(Int64.max) { return .outOfRange(negative: false) }
        return .integer(Int64(magnitude))
    }

    /// The value of a literal of the form `-?[0-9]{1,18}` (which always fits `Int64`): what every
    /// integer field holds in practice, read without the general path's arrays. `nil` for anything else.
    private static func plainInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = bytes.first == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        guard (1...18).contains(bytes.count - index) else { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -value : value
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
