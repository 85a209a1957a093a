import Foundation

/// SplitMix64: tiny, seeded, and identical on every platform, so a failing seed reproduces.
/// Shared by the test targets' generators (fuzzing, hostile records, the crash harness).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed to use: `variable` from the environment when set (decimal or 0x-hex), else `fallback`.
    public static func seed(from variable: String, default fallback: UInt64) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment[variable] else { return fallback }
        return text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) ?? fallback : UInt64(text) ?? fallback
    }
}
