import Authenticity
import Contracts

/// Bounds on following money from bank to bank.
public struct ChainLimits: Sendable, Hashable {
    /// Deepest hop a child request may have (the police request is hop 0).
    public var maxHops: Int
    /// Most child requests one bank answer may create.
    public var maxChildrenPerAnswer: Int
    /// Transfers below this amount are not followed (nil: follow everything). A minimum in
    /// `anyCurrency` applies to transfers in every currency; otherwise only to its own currency.
    public var minimumAmount: Money?

    /// The placeholder currency code (ISO 4217 "no currency") of a minimum that applies to all currencies.
    public static let anyCurrency = "XXX"

    public init(maxHops: Int = 8, maxChildrenPerAnswer: Int = 50, minimumAmount: Money? = nil) {
        self.maxHops = maxHops
        self.maxChildrenPerAnswer = maxChildrenPerAnswer
        self.minimumAmount = minimumAmount
    }
}

extension ChainLimits {
    /// The hop limit applied: the configured one, but never deeper than the contracts allow a
    /// chain request to be (`ContractLimits.maxHop`), since a deeper child could not be encoded.
    var effectiveMaxHops: Int { min(maxHops, ContractLimits.maxHop) }
}

/// Everything configurable that the relay's decisions depend on.
public struct RelayPolicy: Sendable, Hashable {
    public var routing: RoutingTable
    public var sla: SLAPolicy
    public var chain: ChainLimits
    public var topics: TopicNames
    /// Who may order a freeze, and what happens to orders that are not signed by them. By hand
    /// (tests, tools) nothing is checked unless asked; the configuration file's default is `require`.
    public var issuers: IssuerRegistry
    /// How many requests police may put through before an operator looks. By hand nothing is
    /// limited unless asked; the configuration file has defaults.
    public var quotas: IntakeQuotas
    /// Whether and how far back requests are linked to other cases that named the same account.
    /// By hand nothing is linked unless asked; the configuration file has a default window.
    public var accountLinks: AccountLinkPolicy

    public init(
        routing: RoutingTable, sla: SLAPolicy = .standard, chain: ChainLimits = ChainLimits(), topics: TopicNames,
        issuers: IssuerRegistry = .unchecked, quotas: IntakeQuotas = .unlimited, accountLinks: AccountLinkPolicy = .off
    ) {
        self.routing = routing
        self.sla = sla
        self.chain = chain
        self.topics = topics
        self.issuers = issuers
        self.quotas = quotas
        self.accountLinks = accountLinks
    }

    /// The requests topic of a bank (its override, or the standard name).
    public func requestsTopic(of bank: BankProfile) -> String {
        bank.requestsTopic ?? topics.bankRequests(bank.id)
    }

    public func requestsTopic(of bank: BankID) -> String {
        routing.profile(bank)?.requestsTopic ?? topics.bankRequests(bank)
    }
}

extension RelayPolicy {
    /// The bank whose responses topic this is: a configured bank's override first, then the
    /// standard `<prefix>.bank.<id>.responses` name of a configured bank without one. The topic,
    /// not the message, decides who answered; a topic of a bank not in the table names no bank
    /// (the relay does not subscribe to it).
    public func bank(forResponsesTopic topic: String) -> BankID? {
        if let overridden = routing.banks.values.first(where: { $0.responsesTopic == topic }) { return overridden.id }
        guard let id = topics.bankID(fromResponsesTopic: topic), let profile = routing.profile(id) else { return nil }
        // A bank whose responses were moved to an override topic cannot answer on the standard one.
        return profile.responsesTopic == nil ? id : nil
    }

    /// The responses topic of every configured bank, enabled or not (a disabled bank may still
    /// answer requests routed to it before): its override, or the standard name. Sorted.
    public var responsesTopics: [String] {
        Set(routing.banks.values.map { $0.responsesTopic ?? topics.bankResponses($0.id) }).sorted()
    }
}
