/// A strict RFC 8259 parser over raw bytes.
///
/// Written by hand rather than using Foundation so that every refusal is deliberate and named:
/// duplicate keys (which other parsers silently resolve differently: first wins or last wins),
/// a byte order mark, invalid UTF-8, lone surrogate escapes, NaN/Infinity and nesting beyond a
/// fixed depth are all errors. Recursion is bounded by `maxDepth`, so no input can exhaust the stack.
///
/// It runs once per consumed record, so it reads the bytes in place: a string without escapes
/// becomes a `String` straight from its bytes, and the path of the member being read is a stack
/// that is only turned into text when a duplicate key has to be reported.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private var depth = 0
    /// Keys and indices from the root to the value being parsed.
    private var path: [FieldPath.Component] = []
    /// Whether the last string parsed was all ASCII (keys that are not need the equivalence checks).
    private var lastStringIsASCII = true
    /// Where the last string's text is in `bytes`, when it had no escapes.
    private var lastStringRange: Range<Int>?

    /// Objects with more members than this find duplicates by hashing instead of a sorted insert.
    private static let sortedInsertLimit = 32

    static func parse(_ bytes: [UInt8], maxDepth: Int) throws(ContractError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            return Result { () throws(ContractError) in try parser.parseDocument() }
        }
        return try result.get()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func parseDocument() throws(ContractError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw fail("a byte order mark is not allowed; send plain UTF-8")
        }
        skipWhitespace()
        guard index < bytes.count else { throw fail("empty message: expected a JSON object") }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON document") }
        return value
    }

    private func fail(_ reason: String, at position: Int? = nil) -> ContractError {
        let offset = position ?? index
        return ContractError(code: .invalidJSON, path: nil, reason: "invalid JSON at byte \(offset): \(reason)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(ContractError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw fail("NaN and Infinity are not JSON")
        default:
            throw fail("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ContractError) {
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length,
            literal.withUTF8Buffer({ expected in expected.elementsEqual(bytes[index..<(index + length)]) })
        else { throw fail("unexpected character") }
        index += length
    }

    private mutating func enterContainer() throws(ContractError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    private mutating func parseObject() throws(ContractError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject())
        }
        var members: [JSONObject.Member] = []
        members.reserveCapacity(16)
        // Small ASCII objects stay sorted as they are built, so a binary search finds duplicates.
        // Big ones, and any with a key that is not ASCII, use a set of keys compared as `String`s
        // (canonical equivalence, as a dictionary would) and are sorted once at the end.
        var keysSeen: Set<String>?
        var hasNonASCIIKey = false
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw fail("expected a string key")
            }
            let keyStart = index
            let key = try parseString()
            let keyIsASCII = lastStringIsASCII
            let keyRange = lastStringRange
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            if keysSeen == nil && (!keyIsASCII || members.count >= Self.sortedInsertLimit) {
                keysSeen = Set(members.map(\.key))
            }
            hasNonASCIIKey = hasNonASCIIKey || !keyIsASCII
            let (keyPrefix, keyLength, found, position) = withBytes(of: key, at: keyRange) { keyBytes in
                let prefix = JSONObject.prefix(of: keyBytes)
                let (found, position) =
                    keysSeen != nil
                    ? (false, members.count)
                    : members.withUnsafeBufferPointer { JSONObject.search($0, keyBytes, prefix: prefix) }
                return (prefix, keyBytes.count, found, position)
            }
            let isDuplicate = keysSeen == nil ? found : keysSeen!.insert(key).inserted == false
            if isDuplicate {
                // Parsers disagree on which duplicate wins, so two readers of the same bytes could act
                // on different values (two IBANs, two amounts). Refusing is the only safe answer.
                throw ContractError(
                    code: .invalidJSON, path: FieldPath(components: path).description,
                    reason: "duplicate key \"\(key)\" (invalid JSON at byte \(keyStart))")
            }
            let member = JSONObject.Member(
                key: key, value: try parseValue(), keyPrefix: keyPrefix, keyLength: keyLength)
            JSONObject.insert(member, at: position, into: &members)
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                break
            }
            throw fail("expected ',' or '}'")
        }
        depth -= 1
        if keysSeen != nil {
            members.sort(by: JSONObject.precedes)
        }
        return .object(JSONObject(sortedMembers: members, equivalentKeys: hasNonASCIIKey ? keysSeen : nil))
    }

    private mutating func parseArray() throws(ContractError) -> JSONValue {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            path.append(.index(elements.count))
            elements.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                break
            }
            throw fail("expected ',' or ']'")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func parseNumber() throws(ContractError) -> JSONNumber {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw fail("numbers must not have leading zeros", at: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        // Only ASCII digits, signs, '.', 'e' were consumed, so this decoding is lossless.
        return JSONNumber(validatedLiteral: text(start..<index))
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The UTF-8 bytes of a string just parsed: in place when it had no escapes, else from the `String`.
    private func withBytes<Result>(
        of text: String, at range: Range<Int>?, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let range { return body(UnsafeBufferPointer(rebasing: bytes[range])) }
        var text = text
        return text.withUTF8(body)
    }

    /// The bytes in `range`, already checked to be well-formed UTF-8, as a `String`.
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A string without escapes is checked in place and copied once; the first backslash hands over
    /// to ``parseEscapedString(start:)``, which builds the decoded bytes.
    private mutating func parseString() throws(ContractError) -> String {
        let start = index
        index += 1
        var isASCII = true
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                lastStringIsASCII = isASCII
                lastStringRange = (start + 1)..<(index - 1)
                return text((start + 1)..<(index - 1))
            case UInt8(ascii: "\\"):
                return try parseEscapedString(start: start)
            case 0x20..<0x80:
                index += 1
            default:
                let length = try unescapedLength(byte)
                isASCII = false
                index += length
            }
        }
    }

    /// The rest of a string from its first backslash (at `index`); `start` is its opening quote.
    private mutating func parseEscapedString(start: Int) throws(ContractError) -> String {
        var utf8 = Array(bytes[(start + 1)..<index])
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                lastStringIsASCII = !utf8.contains { $0 >= 0x80 }
                lastStringRange = nil
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                try parseEscape(into: &utf8)
            case 0x20..<0x80:
                utf8.append(byte)
                index += 1
            default:
                let length = try unescapedLength(byte)
                utf8.append(contentsOf: bytes[index..<(index + length)])
                index += length
            }
        }
    }

    /// How many bytes the character at `index` takes inside a string when its first byte, `byte`, is
    /// neither printable ASCII nor a quote or backslash: 2–4 for well-formed UTF-8; controls and
    /// malformed UTF-8 are refused. (Printable ASCII, the common case, is handled by the callers.)
    private func unescapedLength(_ byte: UInt8) throws(ContractError) -> Int {
        if byte < 0x20 { throw fail("control characters must be escaped inside strings") }
        let length = UTF8Validation.sequenceLength(bytes, at: index)
        guard length > 0 else { throw fail("invalid UTF-8") }
        return length
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(ContractError) {
        guard index < bytes.count else { throw fail("unterminated escape") }
        let escapeStart = index - 1
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4()
            var scalarValue = UInt32(first)
            if (0xD800...0xDBFF).contains(first) {
                guard bytes.count - index >= 6,
                    bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fail("lone surrogate escape; strings must be valid Unicode", at: escapeStart) }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw fail("lone surrogate escape; strings must be valid Unicode", at: escapeStart)
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(first) {
                throw fail("lone surrogate escape; strings must be valid Unicode", at: escapeStart)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("invalid escape", at: escapeStart) }
            UTF8.encode(scalar) { utf8.append($0) }
        default:
            throw fail("invalid escape sequence", at: escapeStart)
        }
    }

    private mutating func parseHex4() throws(ContractError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
