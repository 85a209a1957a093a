import Contracts
import Crypto
import Foundation

/// A private key that signs JWS: for the `sign` and `keys` commands, the demo's simulated
/// police and the tests. The daemon itself holds none yet.
public struct SigningKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable
{
    public let algorithm: SignatureAlgorithm
    /// The private scalar (P-256) or seed (Ed25519), 32 bytes. Crypto's key types are not
    /// `Sendable`, so the bytes are kept and the key made when it signs.
    private let secret: [UInt8]

    /// A new random key.
    public static func generate(_ algorithm: SignatureAlgorithm = .edDSA) -> SigningKey {
        switch algorithm {
        case .edDSA: SigningKey(algorithm: .edDSA, secret: [UInt8](Curve25519.Signing.PrivateKey().rawRepresentation))
        case .es256: SigningKey(algorithm: .es256, secret: [UInt8](P256.Signing.PrivateKey().rawRepresentation))
        }
    }

    /// An Ed25519 key from its 32-byte seed (test vectors).
    public init(ed25519Seed seed: [UInt8]) throws(KeyFormatError) {
        guard seed.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) != nil else {
            throw KeyFormatError("an Ed25519 private key is a 32-byte seed")
        }
        self.init(algorithm: .edDSA, secret: seed)
    }

    private init(algorithm: SignatureAlgorithm, secret: [UInt8]) { (self.algorithm, self.secret) = (algorithm, secret) }

    /// Reads a private key written as PEM (PKCS #8 `-----BEGIN PRIVATE KEY-----`, as
    /// `openssl genpkey` writes it; or `-----BEGIN EC PRIVATE KEY-----` for P-256) or as a JWK with `d`.
    public init(parsing text: String) throws(KeyFormatError) {
        if let der = try KeyText.pem(
            text, label: text.contains("BEGIN EC PRIVATE KEY") ? "EC PRIVATE KEY" : "PRIVATE KEY")
        {
            if der.count == 48, der.starts(with: KeyText.ed25519PrivatePrefix) {
                try self.init(ed25519Seed: Array(der.dropFirst(KeyText.ed25519PrivatePrefix.count)))
                return
            }
            guard let key = try? P256.Signing.PrivateKey(derRepresentation: der) else {
                throw KeyFormatError("the PEM private key is neither Ed25519 nor P-256")
            }
            self.init(algorithm: .es256, secret: [UInt8](key.rawRepresentation))
            return
        }
        if let members = try KeyText.jwk(text) {
            switch try KeyText.algorithm(members) {
            case .edDSA:
                try self.init(ed25519Seed: try KeyText.bytes(members, "d", count: 32))
                guard publicKey.jwk()["x"] == members["x"] else {
                    throw KeyFormatError("the JWK's \"x\" is not the public half of its \"d\"")
                }
            case .es256:
                let scalar = try KeyText.bytes(members, "d", count: 32)
                guard (try? P256.Signing.PrivateKey(rawRepresentation: scalar)) != nil else {
                    throw KeyFormatError("the JWK's \"d\" is not a P-256 private key")
                }
                self.init(algorithm: .es256, secret: scalar)
                let own = publicKey.jwk()
                guard own["x"] == members["x"], own["y"] == members["y"] else {
                    throw KeyFormatError("the JWK's \"x\"/\"y\" are not the public half of its \"d\"")
                }
            }
            return
        }
        throw KeyFormatError(
            "not a private key: expected a PEM block (-----BEGIN PRIVATE KEY-----) or a JWK JSON object with \"d\"")
    }

    // The secret was checked when the key was made, so making the Crypto key again cannot fail.
    private var ed25519: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: secret) }
    private var p256: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: secret) }

    /// The matching public key.
    public var publicKey: VerificationKey {
        switch algorithm {
        case .edDSA: try! VerificationKey(ed25519: [UInt8](ed25519.publicKey.rawRepresentation))
        case .es256: try! VerificationKey(p256: [UInt8](p256.publicKey.rawRepresentation))
        }
    }

    /// The JWS signature of `data`: 64 bytes (Ed25519, or r‖s for ES256).
    public func signature(for data: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .edDSA: [UInt8](try ed25519.signature(for: data))
        case .es256: [UInt8](try p256.signature(for: data).rawRepresentation)
        }
    }

    /// PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`), as openssl reads it.
    public var pem: String {
        switch algorithm {
        case .edDSA: KeyText.pemBlock(KeyText.ed25519PrivatePrefix + secret, label: "PRIVATE KEY")
        case .es256: p256.pemRepresentation
        }
    }

    /// The private JWK: the public members plus `d`.
    public func jwk(keyID: String? = nil) -> JSONObject {
        var members = publicKey.jwk(keyID: keyID)
        members["d"] = .string(Base64URL.encode(secret))
        return members
    }

    // A private key never shows in logs, dumps or test failure messages: only what it is.
    public var description: String {
        "SigningKey(\(algorithm.rawValue), public \(publicKey.jwk()["x"].map { "\($0)" } ?? "?"), private [redacted])"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}
