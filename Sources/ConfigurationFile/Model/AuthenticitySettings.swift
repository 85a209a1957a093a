import Authenticity
import Contracts

/// `authenticity`: who may order a freeze. Each issuer (a police system) lists the agencies it
/// signs for and its public keys; orders are judged by `policy` (see `SignaturePolicy`).
///
/// Without the section the policy is `require` and no issuer is registered, which `run` refuses
/// to start with: accepting unsigned orders must be an explicit choice (`policy: off`).
public struct AuthenticitySettings: Sendable, Equatable {
    public var policy: SignaturePolicy
    public var issuers: [IssuerSettings]
    /// The key the relay signs routed requests and cancels with; nil: they go out unsigned.
    public var relayKey: RelayKeySettings?
    /// The relay's earlier public keys, still published (`freeze-relay keys jwks`) during a changeover.
    public var relayPreviousKeys: [IssuerKeySettings]
    /// Signed orders issued longer ago than this when read are refused (`order_expired`): an old
    /// order copied from a bank's topic cannot be replayed after its request was purged.
    public var maxOrderAge: Duration

    public static let defaultMaxOrderAge: Duration = .seconds(7 * 86_400)

    public init(
        policy: SignaturePolicy = .require, issuers: [IssuerSettings] = [], relayKey: RelayKeySettings? = nil,
        relayPreviousKeys: [IssuerKeySettings] = [], maxOrderAge: Duration = defaultMaxOrderAge
    ) {
        self.maxOrderAge = maxOrderAge
        self.policy = policy
        self.issuers = issuers
        self.relayKey = relayKey
        self.relayPreviousKeys = relayPreviousKeys
    }

    /// The relay's signer, or nil when no relay key is configured.
    public func relaySigner() throws(KeyFormatError) -> RelaySigner? {
        guard let relayKey else { return nil }
        return try RelaySigner(
            keyID: relayKey.keyID, key: relayKey.key, previous: relayPreviousKeys.map { ($0.keyID, $0.key) })
    }

    /// The registry the relay judges orders with. Loading has already refused duplicates, so
    /// this fails only for settings built by hand.
    public func registry() throws(RegistryError) -> IssuerRegistry {
        try IssuerRegistry(
            policy: policy,
            issuers: issuers.map { issuer in
                IssuerRegistry.Issuer(
                    id: issuer.id, agencies: Set(issuer.agencies), policy: issuer.policy,
                    keys: issuer.keys.map {
                        IssuerRegistry.Key(keyID: $0.keyID, key: $0.key, notBefore: $0.notBefore, notAfter: $0.notAfter)
                    })
            }, maxOrderAge: maxOrderAge)
    }
}

/// One registered issuer.
public struct IssuerSettings: Sendable, Equatable {
    /// A short stable name (`[A-Za-z0-9._-]`, up to 64 characters), used in audit entries and escalations.
    public var id: String
    /// The `issuer.agency` values this issuer signs for, compared exactly.
    public var agencies: [String]
    /// Overrides `authenticity.policy` for orders naming one of `agencies`.
    public var policy: SignaturePolicy?
    public var keys: [IssuerKeySettings]

    public init(id: String, agencies: [String], policy: SignaturePolicy? = nil, keys: [IssuerKeySettings] = []) {
        (self.id, self.agencies, self.policy, self.keys) = (id, agencies, policy, keys)
    }
}

/// One public key of an issuer.
public struct IssuerKeySettings: Sendable, Equatable {
    /// The JWS `kid` the issuer's signatures name.
    public var keyID: String
    public var key: VerificationKey
    /// The file the key was read from (`public_key_file`); nil when written inline (`public_key`).
    public var file: String?
    /// Orders issued outside [not_before, not_after] are refused as `key_expired`.
    public var notBefore: Timestamp?
    public var notAfter: Timestamp?

    public init(
        keyID: String, key: VerificationKey, file: String? = nil, notBefore: Timestamp? = nil,
        notAfter: Timestamp? = nil
    ) {
        (self.keyID, self.key, self.file, self.notBefore, self.notAfter) = (keyID, key, file, notBefore, notAfter)
    }
}

/// The relay's own signing key: read from a file (a secret, like a Kafka password).
public struct RelayKeySettings: Sendable, Equatable {
    public var keyID: String
    /// The private key file (PKCS #8 PEM or JWK), mode 0600, readable by the relay only.
    public var file: String
    public var key: SigningKey

    public init(keyID: String, file: String, key: SigningKey) {
        (self.keyID, self.file, self.key) = (keyID, file, key)
    }
}
