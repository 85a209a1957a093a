import Foundation
import TestSupport

typealias SeededRandom = SplitMix64

/// What the hostile-input generators draw.
extension SplitMix64 {

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
        let alphabet: [Unicode.Scalar] = [
            "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{85}", "\u{9F}", "\t", "\n", "\r", "\"", "\\", " ",
            "a", "Z", "0", "é", "ж", "€", "\u{FFFD}", "\u{FEFF}", "\u{200B}", "😀", "𝄞",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<count { scalars.append(alphabet.randomElement(using: &self)!) }
        return String(scalars)
    }
}
