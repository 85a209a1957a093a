import Foundation

/// SplitMix64: tiny, seeded, identical on every platform, so a failing seed reproduces.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed to use: `variable` from the environment when set (decimal or 0x-hex), else `fallback`.
    static func seed(from variable: String, default fallback: UInt64) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment[variable] else { return fallback }
        return text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) ?? fallback : UInt64(text) ?? fallback
    }

    /// `count` random bytes, eight per draw (debug builds are slow per element).
    mutating func bytes(_ count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count + 8)
        while result.count < count {
            withUnsafeBytes(of: next()) { result.append(contentsOf: $0) }
        }
        result.removeLast(result.count - count)
        return result
    }

    mutating func chance(_ oneIn: Int) -> Bool { Int.random(in: 0..<oneIn, using: &self) == 0 }

    /// Text built from scalars that break things: NUL and other controls, line breaks, quotes and
    /// backslashes, spaces, non-ASCII of every UTF-8 length, and the replacement character.
    /// Long texts repeat a random run of 64: length is what they test, and debug builds are slow per element.
    mutating func hostileText(_ count: Int) -> String {
        guard count <= 64 else {
            let run = hostileText(64)
            return String(repeating: run, count: count / 64) + hostileText(count % 64)
        }
        let alphabet: [Unicode.Scalar] = ["\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{85}", "\u{9F}", "\t", "\n", "\r", "\"", "\\", " ",
                                          "a", "Z", "0", "é", "ж", "€", "\u{FFFD}", "\u{FEFF}", "\u{200B}", "😀", "𝄞"]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<count { scalars.append(alphabet.randomElement(using: &self)!) }
        return String(scalars)
    }
}
