import Authenticity
import Contracts
import Foundation
import Testing

/// Ed25519 public keys of small order, in every encoding verifiers accept for them, are refused
/// when read: a signature could verify with them without any private key.
@Suite struct WeakKeyTests {
    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    /// The y coordinates of the eight small-order points (libsodium's blocklist, as in C2SP's
    /// CCTV Ed25519 vectors: eight points, six more encodings), the sign bit clear.
    static let smallOrderY: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",  // order 4 (x = ±sqrt(-1))
        "0100000000000000000000000000000000000000000000000000000000000000",  // identity
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2 (y = -1)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p: non-canonical 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1: non-canonical 1
    ]

    /// Each y with the x sign bit clear and set: fourteen encodings.
    static let smallOrderEncodings: [[UInt8]] = smallOrderY.flatMap { hex in
        let clear = bytes(hex)
        var set = clear
        set[31] |= 0x80
        return [clear, set]
    }

    @Test(arguments: smallOrderEncodings)
    func smallOrderKeysAreRefusedInEveryForm(_ raw: [UInt8]) {
        let jwk = #"{"kty":"OKP","crv":"Ed25519","x":"\#(Base64URL.encode(raw))"}"#
        let pem =
            "-----BEGIN PUBLIC KEY-----\n"
            + Data([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + raw).base64EncodedString()
            + "\n-----END PUBLIC KEY-----\n"
        for attempt in [
            { try VerificationKey(ed25519: raw) }, { try VerificationKey(parsing: jwk) },
            { try VerificationKey(parsing: pem) },
        ] {
            do {
                _ = try attempt()
                Issue.record("accepted the small-order key \(raw)")
            } catch let error as KeyFormatError {
                #expect(
                    error.reason.contains("small order") || error.reason.contains("not canonically encoded"),
                    "\(error.reason)")
                #expect(!error.reason.contains(Base64URL.encode(raw)), "the reason never quotes the key")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func otherNonCanonicalEncodingsAreRefused() throws {
        for low: UInt8 in [0xef, 0xfe, 0xff] {
            let raw = [low] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
            #expect(
                throws: KeyFormatError(
                    "the Ed25519 public key is not canonically encoded (its y coordinate is not below 2^255 - 19)")
            ) {
                try VerificationKey(ed25519: raw)
            }
        }
    }

    @Test func generatedKeysAreAccepted() throws {
        for _ in 0..<200 {
            let key = SigningKey.generate().publicKey
            guard case .string(let x)? = key.jwk()["x"] else {
                Issue.record("no x in the JWK")
                return
            }
            let raw = try #require(Base64URL.decode(x))
            #expect(try VerificationKey(ed25519: raw) == key)
        }
    }
}
