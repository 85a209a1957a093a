import Contracts
import Crypto
import Foundation

/// A public key that verifies JWS signatures: Ed25519 or P-256.
///
/// Kept as raw bytes (32 for Ed25519, the 64-byte x‖y point for P-256), checked when read, so it is
/// a plain value that can be compared and shared across threads.
public struct VerificationKey: Sendable, Hashable {
    public let algorithm: SignatureAlgorithm
    let raw: [UInt8]

    /// An Ed25519 key from its 32 bytes. Points of small order and non-canonical encodings are
    /// refused (see `Ed25519KeyCheck`): a signature could verify with them without any private key.
    public init(ed25519 raw: [UInt8]) throws(KeyFormatError) {
        guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw KeyFormatError("an Ed25519 public key is 32 bytes")
        }
        if let weakness = Ed25519KeyCheck.weakness(raw) { throw KeyFormatError(weakness) }
        (algorithm, self.raw) = (.edDSA, raw)
    }

    /// A P-256 key from its uncompressed point x‖y (64 bytes); the point must be on the curve.
    public init(p256 raw: [UInt8]) throws(KeyFormatError) {
        guard raw.count == 64, (try? P256.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw KeyFormatError("a P-256 public key is a point on the curve, 64 bytes x‖y")
        }
        (algorithm, self.raw) = (.es256, raw)
    }

    /// Reads a public key written as PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo, as
    /// `openssl pkey -pubout` writes it) or as a JWK (`{"kty":"OKP","crv":"Ed25519","x":…}` or
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…}`). A private key is refused: it does not belong in
    /// the relay's registry.
    public init(parsing text: String) throws(KeyFormatError) {
        if text.contains("PRIVATE KEY") {
            throw KeyFormatError("this is a private key; the registry takes public keys only (openssl pkey -pubout)")
        }
        if let der = try KeyText.pem(text, label: "PUBLIC KEY") {
            if der.count == 44, der.starts(with: KeyText.ed25519PublicPrefix) {
                try self.init(ed25519: Array(der.dropFirst(KeyText.ed25519PublicPrefix.count)))
                return
            }
            guard let key = try? P256.Signing.PublicKey(derRepresentation: der) else {
                throw KeyFormatError("the PEM public key is neither Ed25519 nor P-256")
            }
            try self.init(p256: [UInt8](key.rawRepresentation))
            return
        }
        if let members = try KeyText.jwk(text) {
            if members["d"] != nil {
                throw KeyFormatError("this JWK holds a private key (\"d\"); the registry takes public keys only")
            }
            switch try KeyText.algorithm(members) {
            case .edDSA: try self.init(ed25519: try KeyText.bytes(members, "x", count: 32))
            case .es256:
                try self.init(p256: try KeyText.bytes(members, "x", count: 32) + KeyText.bytes(members, "y", count: 32))
            }
            return
        }
        throw KeyFormatError("not a key: expected a PEM block (-----BEGIN PUBLIC KEY-----) or a JWK JSON object")
    }

    /// Whether `signature` (the JWS form: 64 bytes for both algorithms) signs `data` with this key.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch algorithm {
        case .edDSA:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: data)
        case .es256:
            guard let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
                let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(parsed, for: data)
        }
    }

    /// The public JWK members (RFC 7517), with `kid` and `use: sig` when a key id is given.
    public func jwk(keyID: String? = nil) -> JSONObject {
        var members: JSONObject
        switch algorithm {
        case .edDSA: members = ["kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string(Base64URL.encode(raw))]
        case .es256:
            members = [
                "kty": .string("EC"), "crv": .string("P-256"),
                "x": .string(Base64URL.encode(raw.prefix(32))), "y": .string(Base64URL.encode(raw.suffix(32))),
            ]
        }
        members["alg"] = .string(algorithm.rawValue)
        if let keyID { (members["kid"], members["use"]) = (.string(keyID), .string("sig")) }
        return members
    }

    /// The SubjectPublicKeyInfo PEM, as `openssl pkey -pubin` reads it.
    public var pem: String {
        switch algorithm {
        case .edDSA: KeyText.pemBlock(KeyText.ed25519PublicPrefix + raw, label: "PUBLIC KEY")
        case .es256: (try? P256.Signing.PublicKey(rawRepresentation: raw))?.pemRepresentation ?? ""
        }
    }
}
