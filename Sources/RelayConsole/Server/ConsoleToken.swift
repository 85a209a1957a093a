/// The console's access token: a secret read from a file (or made at random for the demo).
/// Never printed by accident: `description` is redacted; `revealed` is for the one place that
/// must show it (the demo's URL).
public struct ConsoleToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let bytes: [UInt8]

    /// nil for an empty token: it would let anyone in.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        bytes = Array(text.utf8)
    }

    /// 32 random bytes as 64 hexadecimal characters (from the system's secure generator).
    public static func random() -> ConsoleToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return ConsoleToken(Hex.encode(bytes))!
    }

    /// The secret itself, for the demo's printed URL.
    public var revealed: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Whether `candidate` is the token, in time that does not depend on where the two differ
    /// (only on the token's length), so the token cannot be guessed byte by byte from timings.
    func matches<Candidate: Collection<UInt8>>(_ candidate: Candidate) -> Bool {
        // The whole length difference, not a truncated byte of it: lengths 10 and 266 differ.
        var difference = UInt(bitPattern: bytes.count ^ candidate.count)
        var iterator = candidate.makeIterator()
        for byte in bytes {
            difference |= UInt(byte ^ (iterator.next() ?? ~byte))
        }
        return difference == 0
    }

    /// What the sign-in cookie holds: the token in hexadecimal (a token may hold characters a
    /// cookie cannot).
    var cookieValue: String { Hex.encode(bytes) }

    func matchesCookie(_ value: Substring) -> Bool {
        guard let decoded = Hex.decode(value) else { return false }
        return matches(decoded)
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
