/// The padding SHA-1 and SHA-256 share (FIPS 180-4, 5.1.1).
enum HashPadding {
    /// What follows a message of `length` bytes: 0x80, zeros up to 56 bytes modulo 64, then the
    /// length in bits as a big-endian 64-bit number, so the whole is a multiple of 64 bytes.
    static func trailer(afterLength length: Int) -> [UInt8] {
        var trailer: [UInt8] = [0x80]
        while (length + trailer.count) % 64 != 56 { trailer.append(0) }
        let bitLength = UInt64(length) &* 8
        for shift in stride(from: 56, through: 0, by: -8) {
            trailer.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        return trailer
    }
}
