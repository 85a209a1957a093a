import Contracts

/// The daemon's whole configuration, as plain values.
///
/// Built from defaults, then the YAML file, then `FREEZE_RELAY_*` environment variables,
/// then command-line flags (see `RelayConfiguration.load`). The daemon runtime converts
/// these values into the relay's own policy types; this target knows nothing of Kafka
/// clients, the ledger or the contracts.
///
/// Printing a configuration (`description`, `dump`) shows `redactedDump()`, so secrets
/// cannot leak through logs.
public struct RelayConfiguration: Sendable, Equatable {
    public var kafka: KafkaSettings
    public var topics: TopicSettings
    public var ledger: LedgerSettings
    public var sla: SLASettings
    public var chain: ChainSettings
    public var outbox: OutboxSettings
    public var intake: IntakeSettings
    public var http: HTTPSettings
    public var logging: LoggingSettings
    /// Who may order a freeze.
    public var authenticity: AuthenticitySettings
    /// How many requests police may put through before an operator looks.
    public var quotas: QuotaSettings
    /// The routing table, in file order.
    public var banks: [BankSettings]
    /// Whether and how far back requests are linked to other cases that named the same account.
    public var accountLinks = AccountLinkSettings()
    /// The web console; off by default.
    public var console: ConsoleSection

    /// The defaults: no bootstrap servers and no banks, everything else as documented.
    public init(
        kafka: KafkaSettings = KafkaSettings(),
        topics: TopicSettings = TopicSettings(),
        ledger: LedgerSettings = LedgerSettings(),
        sla: SLASettings = SLASettings(),
        chain: ChainSettings = ChainSettings(),
        outbox: OutboxSettings = OutboxSettings(),
        intake: IntakeSettings = IntakeSettings(),
        http: HTTPSettings = HTTPSettings(),
        logging: LoggingSettings = LoggingSettings(),
        authenticity: AuthenticitySettings = AuthenticitySettings(),
        quotas: QuotaSettings = QuotaSettings(),
        banks: [BankSettings] = [],
        console: ConsoleSection = ConsoleSection()
    ) {
        self.kafka = kafka
        self.topics = topics
        self.ledger = ledger
        self.sla = sla
        self.chain = chain
        self.outbox = outbox
        self.intake = intake
        self.http = http
        self.logging = logging
        self.authenticity = authenticity
        self.quotas = quotas
        self.banks = banks
        self.console = console
    }

    /// The bank with this id, enabled or not.
    public func bank(id: String) -> BankSettings? {
        banks.first { $0.id == id }
    }

    /// The banks requests may be routed to.
    public var enabledBanks: [BankSettings] {
        banks.filter(\.enabled)
    }

    /// The deadlines that apply to `bank` for `priority`: the global ones with the bank's
    /// overrides applied.
    public func slaWindows(for bank: BankSettings, priority: Priority) -> ResponseTimes {
        sla.windows(for: priority).applying(bank.sla.overrides(for: priority))
    }
}

extension RelayConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The redacted YAML dump; never contains secrets.
    public var description: String { redactedDump() }
    public var debugDescription: String { redactedDump() }
    /// Mirrors the redacted dump so that `dump(configuration)` cannot reveal secrets either.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redactedDump()]) }
}
