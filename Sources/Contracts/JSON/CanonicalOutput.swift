/// The pieces of canonical JSON output, appended to bytes: the one place where strings are escaped
/// and integers written, shared by ``JSONSerializer`` (for parsed values) and ``ObjectWriter``
/// (for the models), so both give the same bytes for the same value.
///
/// Only `"`, `\` and C0 control characters are escaped (the usual short forms where JSON has one,
/// `\u00XX` in lower-case hex otherwise); `/`, DEL and everything beyond ASCII are written as they are.
enum CanonicalOutput {
    private static let hexDigits: StaticString = "0123456789abcdef"

    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &output) }
    }

    /// A JSON string of UTF-8 bytes, quotes included; runs that need no escape are copied whole.
    static func appendString(utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        for position in 0..<utf8.count {
            let byte = utf8[position]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
            appendEscape(of: byte, to: &output)
            runStart = position + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(of byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        default:
            appendASCII("u00", to: &output)
            hexDigits.withUTF8Buffer { digits in
                output.append(digits[Int(byte >> 4)])
                output.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Text known to need no escaping (literals, keys, digits), without quotes.
    static func appendASCII(_ text: StaticString, to output: inout [UInt8]) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    /// The decimal digits of `value`, as `String(value)` writes them.
    static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        appendDigits(of: value.magnitude, minimumWidth: 1, to: &output)
    }

    /// The decimal digits of `value`, left-padded with zeros to at least `minimumWidth` (at most 24) digits.
    static func appendDigits(of value: UInt64, minimumWidth: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            let start = writeDigits(of: value, minimumWidth: minimumWidth, endingAt: buffer.count, in: buffer)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Writes the digits of `value` (zero-padded to `minimumWidth`) so that they end just before `end`;
    /// returns where they start.
    static func writeDigits(
        of value: UInt64, minimumWidth: Int, endingAt end: Int, in buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var remaining = value
        var position = end
        repeat {
            position -= 1
            buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        } while remaining > 0 || end - position < minimumWidth
        return position
    }
}
