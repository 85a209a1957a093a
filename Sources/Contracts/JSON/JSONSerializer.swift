/// Canonical JSON output: the same value always gives the same bytes.
///
/// Keys are sorted by their UTF-8 bytes (which is Unicode code point order, independent of locale
/// and of Swift's `String` comparison), there is no whitespace, `/` is not escaped, and only `"`, `\`
/// and C0 control characters are escaped. This is what makes encoded events reproducible and content
/// fingerprints stable. ``JSONObject`` keeps its members in that order, so nothing is sorted here.
enum JSONSerializer {
    static func serialize(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(value, into: &output)
        return output
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null:
            CanonicalOutput.appendASCII("null", to: &output)
        case .bool(let flag):
            CanonicalOutput.appendASCII(flag ? "true" : "false", to: &output)
        case .number(let number):
            output.append(contentsOf: number.literal.utf8)
        case .string(let text):
            CanonicalOutput.appendString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                CanonicalOutput.appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}
