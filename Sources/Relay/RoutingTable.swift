import Authenticity
import Contracts

/// One participating bank, as the routing table in configuration describes it.
public struct BankProfile: Sendable, Hashable {
    public var id: BankID
    public var name: String
    /// Country code + bank code as in the IBAN, e.g. `KZ601`.
    public var ibanBankCodes: [String]
    public var bics: [String]
    /// Disabled banks stay known (their answers are still accepted) but get no new requests.
    public var enabled: Bool
    public var escalationContact: Contact?
    /// Per-priority exceptions to the default response times.
    public var slaOverrides: [Priority: ResponseTimeOverrides]
    /// Topic overrides; nil means the standard `<prefix>.bank.<id>.requests/responses`.
    public var requestsTopic: String?
    public var responsesTopic: String?
    /// The bank's answer-signing keys and policy: one issuer, the bank itself (its id as the
    /// only "agency"). Unchecked unless the configuration asks (`banks[].answer_signing`).
    public var answerSigning: IssuerRegistry

    public init(
        id: BankID, name: String, ibanBankCodes: [String], bics: [String] = [], enabled: Bool = true,
        escalationContact: Contact? = nil, slaOverrides: [Priority: ResponseTimeOverrides] = [:],
        requestsTopic: String? = nil, responsesTopic: String? = nil, answerSigning: IssuerRegistry = .unchecked
    ) {
        self.answerSigning = answerSigning
        self.id = id
        self.name = name
        self.ibanBankCodes = ibanBankCodes
        self.bics = bics
        self.enabled = enabled
        self.escalationContact = escalationContact
        self.slaOverrides = slaOverrides
        self.requestsTopic = requestsTopic
        self.responsesTopic = responsesTopic
    }
}

/// Where an account's bank is, as far as the routing table knows.
public enum RouteLookup: Sendable, Hashable {
    /// A participating, enabled bank.
    case bank(BankProfile)
    /// The bank is in the table but disabled.
    case disabled(BankProfile)
    /// No bank in the table has this IBAN's bank code.
    case unknown(bankCode: String?)
}

/// The banks the relay routes to, looked up by the account's IBAN (or a BIC).
public struct RoutingTable: Sendable, Hashable {
    public let banks: [BankID: BankProfile]
    public let directory: RoutingDirectory

    /// Builds the table; fails when two banks claim the same IBAN bank code or BIC.
    public init(banks: [BankProfile]) throws(RoutingDirectoryError) {
        directory = try RoutingDirectory(
            entries: banks.map {
                RoutingDirectory.Entry(bankID: $0.id, ibanBankCodes: $0.ibanBankCodes, bics: $0.bics)
            })
        self.banks = Dictionary(banks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The bank responsible for `iban`.
    public func route(_ iban: IBAN) -> RouteLookup {
        guard let id = directory.bankID(for: iban), let profile = banks[id] else {
            return .unknown(bankCode: iban.routingCode)
        }
        return profile.enabled ? .bank(profile) : .disabled(profile)
    }

    /// The bank responsible for an onward transfer's destination account (IBAN first, then BIC).
    public func route(_ destination: IBANDestination) -> RouteLookup {
        let byIBAN = route(destination.iban)
        if case .unknown = byIBAN, let id = directory.bankID(for: destination), let profile = banks[id] {
            return profile.enabled ? .bank(profile) : .disabled(profile)
        }
        return byIBAN
    }

    public func profile(_ id: BankID) -> BankProfile? { banks[id] }
}
