import Authenticity

/// One bank in the routing table.
public struct BankSettings: Sendable, Equatable {
    /// Matches `^[a-z0-9][a-z0-9_-]{0,31}$`; used in topic names, unique.
    public var id: String
    /// Human-readable name.
    public var name: String
    /// Country code plus bank code as they appear in an IBAN, e.g. `KZ601`; unique across banks.
    public var ibanBankCodes: [String]
    /// 8- or 11-character BICs, upper case; unique across banks.
    public var bics: [String]
    /// Disabled banks stay in the table (so their codes stay claimed) but are not routed to.
    public var enabled: Bool
    /// Whom to call when the bank misses its deadlines; required for enabled banks.
    public var escalationContact: EscalationContact?
    public var topics: BankTopicOverrides
    public var sla: BankSLAOverrides
    /// Whether the bank's answers must be signed, and with which keys; nil: not checked.
    public var answerSigning: AnswerSigningSettings?

    public init(
        id: String,
        name: String,
        ibanBankCodes: [String] = [],
        bics: [String] = [],
        enabled: Bool = true,
        escalationContact: EscalationContact? = nil,
        topics: BankTopicOverrides = BankTopicOverrides(),
        sla: BankSLAOverrides = BankSLAOverrides()
    ) {
        self.id = id
        self.name = name
        self.ibanBankCodes = ibanBankCodes
        self.bics = bics
        self.enabled = enabled
        self.escalationContact = escalationContact
        self.topics = topics
        self.sla = sla
        self.answerSigning = nil
    }
}

/// A person or desk at the bank to escalate to; at least one of `email` and `phone` is set.
public struct EscalationContact: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

/// Full-name overrides of a bank's topics; `nil` means the derived `<prefix>.bank.<id>.…` name.
public struct BankTopicOverrides: Sendable, Equatable {
    public var requests: String?
    public var responses: String?

    public init(requests: String? = nil, responses: String? = nil) {
        self.requests = requests
        self.responses = responses
    }
}

/// `banks[].answer_signing`: the bank signs its answers (`fr-signature`, as police sign orders)
/// and the relay checks them with these keys under `policy`.
public struct AnswerSigningSettings: Sendable, Equatable {
    public var policy: SignaturePolicy
    public var keys: [IssuerKeySettings]

    public init(policy: SignaturePolicy = .require, keys: [IssuerKeySettings]) {
        (self.policy, self.keys) = (policy, keys)
    }

    /// The registry answers are judged with: the bank as the only issuer, its id as the only agency.
    public func registry(bankID: String) throws(RegistryError) -> IssuerRegistry {
        try IssuerRegistry(
            policy: policy,
            issuers: [
                IssuerRegistry.Issuer(
                    id: bankID, agencies: [bankID],
                    keys: keys.map {
                        IssuerRegistry.Key(keyID: $0.keyID, key: $0.key, notBefore: $0.notBefore, notAfter: $0.notAfter)
                    })
            ])
    }
}
