import Contracts

/// The relay's own signing keys: the active one signs every routed request and routed cancel
/// (so a bank can verify that an order came through the relay), and every key, the previous
/// ones included, is published in the JWKS banks verify with. During a changeover the old and
/// the new public key are both published; only the active one signs.
///
/// The relay signs with Ed25519 only: its signatures are deterministic (RFC 8032; swift-crypto
/// on Linux signs with BoringSSL's `ED25519_sign`, which is), so an event re-sent after a crash
/// carries the same signature as the first time. (Apple's CryptoKit randomizes Ed25519
/// signatures; the daemon runs on Linux.)
public struct RelaySigner: Sendable {
    public let keyID: String
    private let key: SigningKey
    /// Public keys still to publish besides the active one (kid → key).
    public let previous: [(keyID: String, key: VerificationKey)]

    public init(keyID: String, key: SigningKey, previous: [(keyID: String, key: VerificationKey)] = [])
        throws(KeyFormatError)
    {
        guard key.algorithm == .edDSA else {
            throw KeyFormatError(
                "the relay signs with Ed25519 (EdDSA) keys only: their signatures are deterministic, so a re-sent event carries the same bytes"
            )
        }
        guard DetachedJWS.isKeyID(keyID) else {
            throw KeyFormatError("a key id is 1 to 128 printable ASCII characters without spaces")
        }
        if let duplicate = previous.first(where: { $0.keyID == keyID }) {
            throw KeyFormatError("key id \"\(duplicate.keyID)\" is both the active and a previous relay key")
        }
        (self.keyID, self.key, self.previous) = (keyID, key, previous)
    }

    /// The active public key.
    public var publicKey: VerificationKey { key.publicKey }

    /// The `fr-signature` header value for an event's payload.
    public func signature(for payload: [UInt8]) -> String {
        // Ed25519 signing of bytes in memory does not fail; an empty value would only mean the
        // event goes out unsigned and the bank refuses it, which it reports.
        (try? DetachedJWS.sign(payload, with: key, keyID: keyID)) ?? ""
    }

    /// The JSON Web Key Set (RFC 7517 §5) banks verify the relay's signatures with.
    public var jwks: JSONValue {
        let keys = [publicKey.jwk(keyID: keyID)] + previous.map { $0.key.jwk(keyID: $0.keyID) }
        return .object(["keys": .array(keys.map(JSONValue.object))])
    }
}
