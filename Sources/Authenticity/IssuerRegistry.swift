import Contracts

/// The issuers whose orders the relay accepts, their keys and the signature policy: who may ask
/// a bank to freeze an account.
///
/// An order (a freeze request or a cancel) names its agency in `issuer.agency`. The issuer that
/// lists that agency sets the policy for it (its own, or the registry's); an agency no issuer lists
/// falls under the registry's policy. A signature is accepted when it verifies over the record's
/// value with a registered key that was valid at the order's `issued_at`, and the key's issuer
/// lists the order's agency.
public struct IssuerRegistry: Sendable, Hashable {
    /// A key an issuer signs with, and when it may sign.
    public struct Key: Sendable, Hashable {
        public var keyID: String
        public var key: VerificationKey
        /// Orders issued before this are refused as `key_expired`; nil: no lower bound.
        public var notBefore: Timestamp?
        /// Orders issued after this are refused as `key_expired`; nil: no upper bound.
        public var notAfter: Timestamp?

        public init(keyID: String, key: VerificationKey, notBefore: Timestamp? = nil, notAfter: Timestamp? = nil) {
            (self.keyID, self.key, self.notBefore, self.notAfter) = (keyID, key, notBefore, notAfter)
        }
    }

    /// A police system (or other authority) that issues orders.
    public struct Issuer: Sendable, Hashable {
        public var id: String
        /// The `issuer.agency` values this issuer may sign for, compared exactly.
        public var agencies: Set<String>
        /// Overrides the registry's policy for orders naming one of this issuer's agencies.
        public var policy: SignaturePolicy?
        public var keys: [Key]

        public init(id: String, agencies: Set<String>, policy: SignaturePolicy? = nil, keys: [Key]) {
            (self.id, self.agencies, self.policy, self.keys) = (id, agencies, policy, keys)
        }
    }

    /// The policy for agencies no issuer lists, and for issuers without their own.
    public let policy: SignaturePolicy
    public let issuers: [Issuer]
    /// Orders issued longer ago than this when they are read are refused as `order_expired`, so
    /// that an order copied from a bank's topic (it carries the police order and its signature)
    /// cannot be replayed once the relay has purged the request. nil: no limit.
    public let maxOrderAge: Duration?
    /// How far in the future an order's `issued_at` may be (clocks differ a little).
    public static let clockSkew: Duration = .seconds(300)
    private let keysByID: [String: (issuer: Int, key: Key)]
    private let issuerByAgency: [String: Int]

    /// Nothing checked: for tools and tests that build a relay by hand. A configuration file
    /// without an `authenticity` section gets `require` instead (see the configuration).
    public static let unchecked = try! IssuerRegistry(policy: .off, issuers: [])

    /// Fails when a key id, an issuer id or an agency appears twice: each must say who signed.
    public init(policy: SignaturePolicy, issuers: [Issuer], maxOrderAge: Duration? = nil) throws(RegistryError) {
        var keys: [String: (issuer: Int, key: Key)] = [:]
        var agencies: [String: Int] = [:]
        var ids: Set<String> = []
        for (index, issuer) in issuers.enumerated() {
            guard ids.insert(issuer.id).inserted else {
                throw RegistryError("issuer id \"\(issuer.id)\" is registered twice")
            }
            for agency in issuer.agencies {
                if let other = agencies[agency] {
                    throw RegistryError(
                        "agency \"\(agency)\" is listed by issuers \"\(issuers[other].id)\" and \"\(issuer.id)\"; an agency belongs to one issuer"
                    )
                }
                agencies[agency] = index
            }
            for key in issuer.keys {
                if let other = keys[key.keyID] {
                    throw RegistryError(
                        "key id \"\(key.keyID)\" is registered for \"\(issuers[other.issuer].id)\" and \"\(issuer.id)\"; key ids must be unique"
                    )
                }
                if let from = key.notBefore, let to = key.notAfter, to < from {
                    throw RegistryError("key \"\(key.keyID)\" of \"\(issuer.id)\": not_after is before not_before")
                }
                keys[key.keyID] = (index, key)
            }
        }
        if let maxOrderAge, maxOrderAge <= .zero {
            throw RegistryError("the maximum order age must be longer than zero")
        }
        (self.policy, self.issuers, self.keysByID, self.issuerByAgency, self.maxOrderAge) = (
            policy, issuers, keys, agencies, maxOrderAge
        )
    }

    public static func == (lhs: IssuerRegistry, rhs: IssuerRegistry) -> Bool {
        lhs.policy == rhs.policy && lhs.issuers == rhs.issuers && lhs.maxOrderAge == rhs.maxOrderAge
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(policy)
        hasher.combine(issuers)
        hasher.combine(maxOrderAge)
    }

    /// The id of the registered issuer that lists `agency`, if one does.
    public func issuerID(forAgency agency: String) -> String? {
        issuerByAgency[agency].map { issuers[$0].id }
    }

    /// Whether an issuer lists `agency` as one it signs for.
    public func listsAgency(_ agency: String) -> Bool {
        issuerByAgency[agency] != nil
    }

    /// The policy for orders naming `agency`.
    public func policy(forAgency agency: String) -> SignaturePolicy {
        issuerByAgency[agency].flatMap { issuers[$0].policy } ?? policy
    }

    /// Judges one order: `signature` is the `fr-signature` header's value (nil when absent),
    /// `payload` the record's value, `agency` and `issuedAt` read from the order. Pure and total.
    public func judge(signature: [UInt8]?, payload: [UInt8], agency: String, issuedAt: Timestamp, now: Timestamp? = nil)
        -> AuthenticityVerdict
    {
        judge(signatures: signature.map { [$0] } ?? [], payload: payload, agency: agency, issuedAt: issuedAt, now: now)
    }

    /// Judges one order given every `fr-signature` header value the record carries: exactly one
    /// is accepted (two could say two different things about who signed). `now`: when the order
    /// is read, for the maximum order age (nil: not checked).
    public func judge(
        signatures: [[UInt8]], payload: [UInt8], agency: String, issuedAt: Timestamp, now: Timestamp? = nil
    ) -> AuthenticityVerdict {
        let applicable = policy(forAgency: agency)
        if applicable == .off { return .unchecked }
        switch check(signatures: signatures, payload: payload, agency: agency, issuedAt: issuedAt, now: now) {
        case .success(let verified): return verified
        case .failure(let problem): return applicable == .require ? .refused(problem) : .flagged(problem)
        }
    }

    private func check(signatures: [[UInt8]], payload: [UInt8], agency: String, issuedAt: Timestamp, now: Timestamp?)
        -> Result<AuthenticityVerdict, AuthenticityProblem>
    {
        guard let signature = signatures.first else {
            return .failure(
                AuthenticityProblem(
                    .signatureMissing,
                    "the record has no \(DetachedJWS.headerName) header; it must be signed with its sender's registered key"
                ))
        }
        guard signatures.count == 1 else {
            return .failure(
                AuthenticityProblem(
                    .signatureInvalid,
                    "the record has \(signatures.count) \(DetachedJWS.headerName) headers; exactly one is accepted"))
        }
        let jws: DetachedJWS
        do {
            jws = try DetachedJWS(parsing: signature)
        } catch {
            return .failure(
                AuthenticityProblem(
                    .signatureInvalid, "the \(DetachedJWS.headerName) header is not a detached JWS: \(error.reason)"))
        }
        guard let entry = keysByID[jws.keyID] else {
            return .failure(
                AuthenticityProblem(
                    .unknownKey, "key id \"\(jws.keyID)\" is not in the issuer registry", keyID: jws.keyID))
        }
        let (index, key) = entry
        let issuer = issuers[index]
        guard jws.algorithm == key.key.algorithm else {
            return .failure(
                AuthenticityProblem(
                    .signatureInvalid,
                    "the signature says \(jws.algorithm.rawValue) but key \"\(key.keyID)\" is \(key.key.algorithm.rawValue)",
                    issuerID: issuer.id, keyID: key.keyID))
        }
        guard jws.verifies(payload, with: key.key) else {
            return .failure(
                AuthenticityProblem(
                    .signatureInvalid,
                    "the signature by key \"\(key.keyID)\" of issuer \"\(issuer.id)\" does not match the record's value (altered, or signed over other bytes)",
                    issuerID: issuer.id, keyID: key.keyID))
        }
        if let from = key.notBefore, issuedAt < from {
            return .failure(
                AuthenticityProblem(
                    .keyExpired,
                    "key \"\(key.keyID)\" of issuer \"\(issuer.id)\" is valid from \(from.rfc3339); the order was issued at \(issuedAt.rfc3339)",
                    issuerID: issuer.id, keyID: key.keyID))
        }
        if let to = key.notAfter, to < issuedAt {
            return .failure(
                AuthenticityProblem(
                    .keyExpired,
                    "key \"\(key.keyID)\" of issuer \"\(issuer.id)\" expired at \(to.rfc3339); the order was issued at \(issuedAt.rfc3339)",
                    issuerID: issuer.id, keyID: key.keyID))
        }
        guard issuer.agencies.contains(agency) else {
            return .failure(
                AuthenticityProblem(
                    .issuerNotAllowed,
                    "issuer \"\(issuer.id)\" (key \"\(key.keyID)\") may not sign orders of agency \"\(ContractText.fittedName(agency, limit: 64))\"",
                    issuerID: issuer.id, keyID: key.keyID))
        }
        if let now, let problem = freshness(issuedAt: issuedAt, now: now) {
            return .failure(AuthenticityProblem(.orderExpired, problem, issuerID: issuer.id, keyID: key.keyID))
        }
        return .success(.verified(issuerID: issuer.id, keyID: key.keyID))
    }

    /// Why an order issued at `issuedAt` is not fresh at `now`, or nil when it is.
    private func freshness(issuedAt: Timestamp, now: Timestamp) -> String? {
        if issuedAt > now.adding(seconds: Self.clockSkew.components.seconds) {
            return
                "the order was issued at \(issuedAt.rfc3339), in the future (read at \(now.rfc3339)); check the issuer's clock"
        }
        if let maxOrderAge, issuedAt < now.adding(seconds: -maxOrderAge.components.seconds) {
            return
                "the order was issued at \(issuedAt.rfc3339), more than the maximum order age before it was read (\(now.rfc3339)); "
                + "an old order is not honoured again (re-issue it if it still stands)"
        }
        return nil
    }
}

/// A registry that cannot say who signed (a duplicate key id, issuer or agency).
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
