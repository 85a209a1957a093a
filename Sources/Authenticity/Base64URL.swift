/// Base64url without padding (RFC 7515 §2, RFC 4648 §5): the alphabet of JWS and JWK.
/// Decoding is strict: no padding, no whitespace, no other characters, and the unused low bits
/// of the last character must be zero, so one byte string has exactly one accepted spelling.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = Int8(value) }
        return table
    }()

    /// The unpadded base64url text of `bytes`.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int(chunk >> UInt32(shift) & 63)]) }
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` spells, or nil when it is not canonical unpadded base64url.
    public static func decode<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        let input = Array(text)
        // A remainder of one character cannot encode a whole byte.
        guard input.count % 4 != 1 else { return nil }
        var values: [UInt32] = []
        values.reserveCapacity(input.count)
        for symbol in input {
            let value = reverse[Int(symbol)]
            guard value >= 0 else { return nil }
            values.append(UInt32(value))
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let chunk = values[index] << 18 | values[index + 1] << 12 | values[index + 2] << 6 | values[index + 3]
            output.append(UInt8(chunk >> 16 & 0xff))
            output.append(UInt8(chunk >> 8 & 0xff))
            output.append(UInt8(chunk & 0xff))
            index += 4
        }
        switch values.count - index {
        case 2:
            guard values[index + 1] & 0x0f == 0 else { return nil }
            output.append(UInt8((values[index] << 2 | values[index + 1] >> 4) & 0xff))
        case 3:
            guard values[index + 2] & 0x03 == 0 else { return nil }
            let chunk = values[index] << 12 | values[index + 1] << 6 | values[index + 2]
            output.append(UInt8(chunk >> 10 & 0xff))
            output.append(UInt8(chunk >> 2 & 0xff))
        default:
            break
        }
        return output
    }

    /// Decodes a string's UTF-8 bytes.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
