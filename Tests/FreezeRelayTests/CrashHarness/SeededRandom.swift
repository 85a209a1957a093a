import Contracts
import Foundation
import TestSupport

/// The crash harness's draws (a printed seed replays a run).
extension SplitMix64 {
    /// A generator for one subject (a request id) within a run: the same seed and subject always
    /// give the same choices, whatever order subjects come up in. (Not `Hasher`, which is seeded
    /// per process.)
    init(seed: UInt64, subject: UUID) {
        var mixed = seed
        withUnsafeBytes(of: subject.uuid) { bytes in
            for byte in bytes { mixed = (mixed ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        self.init(state: mixed)
    }

    /// A random version-4 UUID drawn from this generator.
    mutating func uuid() -> UUID {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &self) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &self) < percent
    }
}
