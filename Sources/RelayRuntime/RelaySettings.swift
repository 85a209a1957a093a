import Authenticity
import Contracts
import Ledger
import Relay
import RelayKafka

/// Everything the daemon needs to run, already validated (the CLI builds it from the YAML
/// configuration, the environment and flags).
public struct RelaySettings: Sendable {
    /// librdkafka properties shared by the consumer and the producer (bootstrap servers, TLS, SASL…).
    public var kafka: KafkaConfiguration
    public var groupID: String
    public var policy: RelayPolicy
    public var ledgerPath: String
    public var durability: Durability
    /// Records per poll, all applied in one ledger transaction.
    public var intakeBatchSize: Int
    /// Events handed to the producer per outbox round.
    public var publishBatchSize: Int
    /// Readiness fails when more events than this wait in the outbox.
    public var maxOutboxBacklog: Int
    /// How long shutdown waits for the outbox to drain.
    public var shutdownDrainTimeout: Duration
    /// Readiness fails when records wait but nothing was applied for this long, or when no
    /// partition was assigned for this long (measured on the relay's clock).
    public var intakeStallTimeout: Duration
    /// The dead letters' stored payloads are kept under this many bytes; beyond it the oldest
    /// lose their content (see `DeadLetterBudget`).
    public var maxDeadLetterBytes: Int64
    /// How often the background health check asks the broker and writes the ledger's heartbeat.
    /// `/readyz` and `/metrics` report its last findings, so a probe or a scrape never waits for
    /// the broker and never writes to the ledger itself.
    public var healthCheckInterval: Duration
    /// Signs every routed request and routed cancel as it is published (`fr-signature`), so that
    /// banks can verify it came through the relay; nil: they go out unsigned.
    public var signer: RelaySigner?

    public init(
        kafka: KafkaConfiguration, groupID: String = "freeze-relay", policy: RelayPolicy,
        ledgerPath: String = Ledger.defaultPath, durability: Durability = .full, intakeBatchSize: Int = 2_000,
        publishBatchSize: Int = 500, maxOutboxBacklog: Int = 10_000, shutdownDrainTimeout: Duration = .seconds(10),
        intakeStallTimeout: Duration = .seconds(60),
        maxDeadLetterBytes: Int64 = 256 << 20, healthCheckInterval: Duration = .seconds(1), signer: RelaySigner? = nil
    ) {
        self.kafka = kafka
        self.groupID = groupID
        self.policy = policy
        self.ledgerPath = ledgerPath
        self.durability = durability
        self.intakeBatchSize = intakeBatchSize
        self.publishBatchSize = publishBatchSize
        self.maxOutboxBacklog = maxOutboxBacklog
        self.shutdownDrainTimeout = shutdownDrainTimeout
        self.intakeStallTimeout = intakeStallTimeout
        self.maxDeadLetterBytes = maxDeadLetterBytes
        self.healthCheckInterval = healthCheckInterval
        self.signer = signer
    }

    /// Topics the relay consumes: police requests and the responses topic of every configured
    /// bank (its override or the standard name), by name: a topic of a bank not in the table is
    /// never read. A bank added to the table is subscribed on reload (SIGHUP).
    public var subscriptions: [String] { Self.subscriptions(for: policy) }

    static func subscriptions(for policy: RelayPolicy) -> [String] {
        [policy.topics.requests] + policy.responsesTopics
    }
}
