/// What the relay does with an order whose signature is missing or does not check out.
public enum SignaturePolicy: String, Sendable, Hashable, CaseIterable {
    /// Refused: dead-lettered with the reason, audited as a security event, escalated.
    case require
    /// Accepted, but audited as a security event and counted, so the gap is visible while issuers
    /// move to signing.
    case warn
    /// Signatures are not looked at.
    case off
}

/// Why an order's signature was not accepted. The raw values are dead-letter reason codes.
public enum AuthenticityFailure: String, Sendable, Hashable, CaseIterable {
    /// No `fr-signature` header.
    case signatureMissing = "signature_missing"
    /// A malformed signature, or one that does not verify over the record's value.
    case signatureInvalid = "signature_invalid"
    /// The signature names a key id the registry does not hold.
    case unknownKey = "unknown_key"
    /// The key was not valid when the order says it was issued.
    case keyExpired = "key_expired"
    /// The key belongs to an issuer that may not sign for the order's agency.
    case issuerNotAllowed = "issuer_not_allowed"
    /// A validly signed order read long after it was issued (longer than the registry's maximum
    /// order age), or issued in the future: a replayed old order, or a wrong clock.
    case orderExpired = "order_expired"
}

/// A signature that was not accepted: why, and what is known of who signed. Ids only.
public struct AuthenticityProblem: Error, Sendable, Hashable {
    public var failure: AuthenticityFailure
    /// One line for a dead letter or an audit entry: what was wrong, no key material, no personal data.
    public var detail: String
    /// The registered issuer the signature's key belongs to, when the key is known.
    public var issuerID: String?
    /// The key id the signature named, when it could be read.
    public var keyID: String?

    public init(_ failure: AuthenticityFailure, _ detail: String, issuerID: String? = nil, keyID: String? = nil) {
        (self.failure, self.detail, self.issuerID, self.keyID) = (failure, detail, issuerID, keyID)
    }
}

/// The registry's judgement of one order.
public enum AuthenticityVerdict: Sendable, Hashable {
    /// Signed with a registered key of an issuer allowed to sign for the order's agency.
    case verified(issuerID: String, keyID: String)
    /// The applicable policy is `off`: nothing was checked.
    case unchecked
    /// Not verified, but accepted because the applicable policy is `warn`.
    case flagged(AuthenticityProblem)
    /// Not verified and refused because the applicable policy is `require`.
    case refused(AuthenticityProblem)
}
