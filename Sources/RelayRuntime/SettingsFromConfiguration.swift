import Authenticity
import ConfigurationFile
import Contracts
import Ledger
import Relay
import RelayKafka

/// A configuration that validated as YAML but cannot become relay settings (for instance two
/// banks whose codes the routing directory refuses).
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension RelayPolicy {
    /// The routing table, SLA settings, chain limits and topic names of a configuration.
    public init(configuration: RelayConfiguration) throws {
        var banks: [BankProfile] = []
        for settings in configuration.banks {
            let id: BankID
            do { id = try BankID(settings.id) } catch { throw SettingsError(message: "banks: \(error)") }
            var overrides: [Priority: ResponseTimeOverrides] = [:]
            for priority in Priority.allCases {
                let override = settings.sla.overrides(for: priority)
                if !override.isEmpty { overrides[priority] = override }
            }
            let answerSigning: IssuerRegistry
            do { answerSigning = try settings.answerSigning?.registry(bankID: id.rawValue) ?? .unchecked } catch {
                throw SettingsError(message: "banks: \(id): answer_signing: \(error)")
            }
            banks.append(
                BankProfile(
                    id: id, name: settings.name, ibanBankCodes: settings.ibanBankCodes, bics: settings.bics,
                    enabled: settings.enabled,
                    escalationContact: settings.escalationContact.map {
                        Contact(name: $0.name, email: $0.email, phone: $0.phone)
                    },
                    slaOverrides: overrides, requestsTopic: settings.topics.requests,
                    responsesTopic: settings.topics.responses,
                    answerSigning: answerSigning))
        }
        let routing: RoutingTable
        do { routing = try RoutingTable(banks: banks) } catch {
            throw SettingsError(message: "routing table: \(error)")
        }
        let sla = configuration.sla
        let policy = SLAPolicy(
            defaults: [
                .urgent: sla.urgent,
                .normal: sla.normal,
            ],
            escalationSteps: sla.escalationSteps, holdWarning: sla.holdWarning)
        let topics = try TopicNames(configuration: configuration)
        let chain = configuration.chain
        let minimum = try? Money(value: chain.minAmount, currency: ChainLimits.anyCurrency)
        let issuers: IssuerRegistry
        do { issuers = try configuration.authenticity.registry() } catch {
            throw SettingsError(message: "authenticity.issuers: \(error)")
        }
        self.init(
            routing: routing, sla: policy,
            chain: ChainLimits(
                maxHops: chain.maxHops, maxChildrenPerAnswer: chain.maxChildrenPerAnswer,
                minimumAmount: (minimum?.isZero ?? true) ? nil : minimum),
            topics: topics, issuers: issuers, quotas: IntakeQuotas(configuration.quotas),
            accountLinks: AccountLinkPolicy(window: configuration.accountLinks.window))
    }
}

extension IntakeQuotas {
    /// The limits of a configuration's `quotas` section.
    public init(_ settings: QuotaSettings) {
        func limits(_ limits: QuotaSettings.IssuerLimits) -> IssuerLimits {
            IssuerLimits(perMinute: limits.perMinute, perDay: limits.perDay)
        }
        self.init(
            issuer: limits(settings.issuer),
            issuerOverrides: Dictionary(
                settings.issuers.map { ($0.id, limits($0.limits)) }, uniquingKeysWith: { first, _ in first }),
            account: AccountLimits(
                openRequests: settings.accountOpenRequests, repeats: settings.accountRepeats,
                repeatWindow: settings.accountRepeatWindow))
    }
}

extension TopicNames {
    /// The topic names of a configuration: its prefix and per-topic overrides.
    public init(configuration: RelayConfiguration) throws {
        var overrides: [Topic: String] = [:]
        let settings = configuration.topics
        if let name = settings.requests { overrides[.requests] = name }
        if let name = settings.status { overrides[.status] = name }
        if let name = settings.escalations { overrides[.escalations] = name }
        if let name = settings.deadletter { overrides[.deadletter] = name }
        do { try self.init(prefix: settings.prefix, overrides: overrides) } catch {
            throw SettingsError(message: "topics: \(error)")
        }
    }
}

extension RelaySettings {
    /// Settings for `freeze-relay run` from a loaded configuration.
    public init(configuration: RelayConfiguration) throws {
        let kafka = KafkaConfiguration(configuration.kafka.clientProperties())
        self.init(
            kafka: kafka, groupID: configuration.kafka.groupID, policy: try RelayPolicy(configuration: configuration),
            ledgerPath: configuration.ledger.path,
            durability: Durability(configuration.ledger.durability),
            intakeBatchSize: configuration.intake.batchSize, publishBatchSize: configuration.outbox.publishBatch,
            maxOutboxBacklog: configuration.outbox.maxBacklog, intakeStallTimeout: configuration.intake.stallTimeout,
            maxDeadLetterBytes: configuration.ledger.maxDeadLetterBytes,
            signer: try configuration.authenticity.relaySigner())
    }
}

extension Durability {
    /// The ledger's durability for the configuration's `ledger.durability`. A switch, not a
    /// comparison: a value added to either enum must be mapped here before the code compiles.
    public init(_ setting: LedgerDurability) {
        switch setting {
        case .full: self = .full
        case .normal: self = .normal
        }
    }
}
