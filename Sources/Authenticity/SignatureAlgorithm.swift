/// The JWS algorithms the relay accepts (RFC 7518 §3.4, RFC 8037 §3.1). Nothing else: no `none`,
/// no HMAC (a shared secret could not tell police and relay apart), no RSA.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Ed25519 (RFC 8037). The default for new keys: small, fast, deterministic.
    case edDSA = "EdDSA"
    /// ECDSA on P-256 with SHA-256, signature as the 64-byte r‖s.
    case es256 = "ES256"
}
