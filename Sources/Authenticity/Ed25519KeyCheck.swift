/// Ed25519 public keys that prove nothing about who signed, refused when keys are registered.
///
/// A point of small order (the identity, or a point of order 2, 4 or 8) as a public key lets
/// anyone forge: with the identity as key, the signature R = identity, S = 0 verifies for every
/// message. The same points have non-canonical encodings (the x sign bit set where x is 0, or y
/// written as y + p), which verifiers decode to the same weak points. This is libsodium's
/// `has_small_order` blocklist (seven y values, the sign bit ignored: the eight points in their
/// canonical and common non-canonical encodings, fourteen in all), plus every non-canonical y,
/// which libsodium refuses for keys as well. Comparing bytes needs no curve arithmetic.
enum Ed25519KeyCheck {
    /// The y coordinates (little-endian, bit 255 cleared) of the small-order points, and of
    /// their non-canonical forms y + p.
    static let smallOrderY: [[UInt8]] = [
        // 0: the two points of order 4, x = ±sqrt(-1)
        [UInt8](repeating: 0, count: 32),
        // 1: the identity (order 1)
        [0x01] + [UInt8](repeating: 0, count: 31),
        // the two y values of the four points of order 8
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        // p - 1, that is -1: the point of order 2
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        // p and p + 1: non-canonical 0 and 1
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Why the 32 bytes are not a usable public key, or nil when they are.
    static func weakness(_ raw: [UInt8]) -> String? {
        guard raw.count == 32 else { return "an Ed25519 public key is 32 bytes" }
        var y = raw
        y[31] &= 0x7f
        if smallOrderY.contains(y) {
            return
                "the Ed25519 public key is a point of small order (the identity or a point of order 2, 4 or 8, in some encoding): "
                + "anyone could forge signatures that verify with it. Register the issuer's real public key"
        }
        if isAtLeastP(y) {
            return "the Ed25519 public key is not canonically encoded (its y coordinate is not below 2^255 - 19)"
        }
        return nil
    }

    /// Whether the little-endian 255-bit number is at least p = 2^255 - 19: the top byte 0x7f,
    /// the 30 below it 0xff, and the lowest at least 0xed.
    private static func isAtLeastP(_ y: [UInt8]) -> Bool {
        y[31] == 0x7f && y[1...30].allSatisfy { $0 == 0xff } && y[0] >= 0xed
    }

    private static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
