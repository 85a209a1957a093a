/// Decodes the merged configuration tree into a `RelayConfiguration`, reporting every
/// problem to `log` rather than stopping at the first.
struct ConfigurationDecoder {
    let log: ProblemLog
    /// The process environment, for `kafka.secret_env`.
    let environment: [String: String]

    static let topLevelKeys = [
        "kafka", "topics", "ledger", "sla", "chain", "outbox", "intake", "http", "logging", "authenticity", "quotas",
        "account_links", "banks", "console",
    ]

    func decode(_ root: ConfigTree) -> RelayConfiguration {
        if case .mapping = root {
        } else if !root.isNull {
            log.error(
                .root, root.source,
                "expected a mapping of sections (kafka:, banks:, …) at the top of the file, "
                    + "found \(root.kindDescription)")
            return RelayConfiguration()
        }
        let top = Section(root, at: .root, known: Self.topLevelKeys, log: log)
        var configuration = RelayConfiguration()
        configuration.kafka = decodeKafka(top.section("kafka", known: KafkaKeys.all))
        configuration.topics = decodeTopics(top.section("topics", known: TopicKeys.all))
        configuration.ledger = decodeLedger(top.section("ledger", known: LedgerKeys.all))
        configuration.sla = decodeSLA(top.section("sla", known: SLAKeys.all))
        configuration.chain = decodeChain(
            top.section("chain", known: ["max_hops", "max_children_per_answer", "min_amount"]))
        configuration.outbox = decodeOutbox(top.section("outbox", known: ["max_backlog", "publish_batch"]))
        configuration.intake = decodeIntake(top.section("intake", known: ["batch_size", "stall_timeout"]))
        configuration.http = decodeHTTP(top.section("http", known: ["listen"]))
        configuration.logging = decodeLogging(top.section("logging", known: ["level", "format"]))
        configuration.authenticity = decodeAuthenticity(top.section("authenticity", known: AuthenticityKeys.all))
        configuration.quotas = decodeQuotas(top, registered: configuration.authenticity.issuers.map(\.id))
        configuration.banks = decodeBanks(top, sla: configuration.sla)
        configuration.console = decodeConsole(top.section("console", known: ConsoleKeys.all), http: configuration.http)
        configuration.accountLinks = decodeAccountLinks(top)
        return configuration
    }
}

extension Section {
    func nonEmptyString(_ key: String) -> String? {
        value(key).flatMap { Read.nonEmptyString($0, at: path.key(key), log: log) }
    }

    /// A string that must also pass `check` (which returns why it is wrong).
    func string(_ key: String, check: (String) -> String?) -> String? {
        guard let tree = value(key), let text = Read.nonEmptyString(tree, at: path.key(key), log: log) else {
            return nil
        }
        if let why = check(text) {
            log.error(path.key(key), tree.source, why)
            return nil
        }
        return text
    }

    /// A duration that must be longer than zero.
    func positiveDuration(_ key: String) -> Duration? {
        guard let duration = duration(key) else { return nil }
        guard duration > .zero else {
            log.error(path.key(key), value(key)?.source, "must be longer than zero")
            return nil
        }
        return duration
    }
}
