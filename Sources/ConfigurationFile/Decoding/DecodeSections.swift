/// The small sections: topics, ledger, chain, outbox, intake, http, logging.
enum TopicKeys {
    static let all = ["prefix", "requests", "status", "escalations", "deadletter"]
}

enum LedgerKeys {
    static let all = ["path", "durability", "dead_letter_retention", "max_dead_letter_bytes"]
}

extension ConfigurationDecoder {
    func decodeTopics(_ section: Section) -> TopicSettings {
        var topics = TopicSettings()
        // The prefix is followed by ".bank.<id>.responses", so it must leave room for that.
        if let prefix = section.string("prefix", check: { Formats.topicName($0, maximumLength: 200) }) {
            topics.prefix = prefix
        }
        topics.requests = section.string("requests", check: { Formats.topicName($0) })
        topics.status = section.string("status", check: { Formats.topicName($0) })
        topics.escalations = section.string("escalations", check: { Formats.topicName($0) })
        topics.deadletter = section.string("deadletter", check: { Formats.topicName($0) })
        return topics
    }

    func decodeLedger(_ section: Section) -> LedgerSettings {
        var ledger = LedgerSettings()
        if let path = section.nonEmptyString("path") { ledger.path = path }
        if let durability = section.choice("durability", as: LedgerDurability.self) { ledger.durability = durability }
        if let retention = section.positiveDuration("dead_letter_retention") { ledger.deadLetterRetention = retention }
        if let bytes = section.byteSize("max_dead_letter_bytes", in: LedgerSettings.deadLetterBytesRange) {
            ledger.maxDeadLetterBytes = bytes
        }
        return ledger
    }

    func decodeChain(_ section: Section) -> ChainSettings {
        var chain = ChainSettings()
        if let hops = section.int("max_hops", in: 1...64) { chain.maxHops = hops }
        if let children = section.int("max_children_per_answer", in: 1...1000) { chain.maxChildrenPerAnswer = children }
        if let tree = section.value("min_amount") {
            let path = section.path.key("min_amount")
            // Written bare (min_amount: 100.5) YAML reads a number; its text is taken as written,
            // so no precision is lost on the way.
            if case .scalar(let scalar) = tree, [.string, .text, .integer, .float].contains(scalar.kind) {
                let text = scalar.text.trimmingWhitespace()
                if let why = Formats.decimalAmount(text) {
                    log.error(path, tree.source, why)
                } else {
                    chain.minAmount = text
                }
            } else {
                log.error(
                    path, tree.source, "expected a decimal amount such as \"1000.50\", found \(tree.kindDescription)")
            }
        }
        return chain
    }

    func decodeOutbox(_ section: Section) -> OutboxSettings {
        var outbox = OutboxSettings()
        // Upper bounds catch a digit too many; they are far above any sensible setting.
        if let backlog = section.int("max_backlog", in: 1...100_000_000) { outbox.maxBacklog = backlog }
        if let batch = section.int("publish_batch", in: 1...100_000) { outbox.publishBatch = batch }
        return outbox
    }

    func decodeIntake(_ section: Section) -> IntakeSettings {
        var intake = IntakeSettings()
        if let batch = section.int("batch_size", in: 1...100_000) { intake.batchSize = batch }
        if let stall = section.positiveDuration("stall_timeout") { intake.stallTimeout = stall }
        return intake
    }

    func decodeHTTP(_ section: Section) -> HTTPSettings {
        var http = HTTPSettings()
        if let listen = section.listen("listen") { http.listen = listen }
        return http
    }

    func decodeLogging(_ section: Section) -> LoggingSettings {
        var logging = LoggingSettings()
        if let level = section.choice("level", as: LogLevel.self) { logging.level = level }
        if let format = section.choice("format", as: LogFormat.self) { logging.format = format }
        return logging
    }
}

extension ConfigurationDecoder {
    /// `account_links: off`, or `window:` a positive duration or `off`.
    func decodeAccountLinks(_ top: Section) -> AccountLinkSettings {
        if Self.isOff(top.value("account_links")) { return AccountLinkSettings(window: nil) }
        let section = top.section("account_links", known: ["window"])
        var settings = AccountLinkSettings()
        if Self.isOff(section.value("window")) {
            settings.window = nil
        } else if let window = section.positiveDuration("window") {
            settings.window = window
        }
        return settings
    }
}
