import ConfigurationFile
import Contracts
import Foundation
import Testing

@Suite struct LoadingTests {
    static let complete = """
        kafka:
          bootstrap_servers: broker-1:9093,broker-2:9093
          group_id: relay-prod
          client_id: relay-1
          properties:
            security.protocol: SASL_SSL
            socket.timeout.ms: 30000
            enable.idempotence: yes
        topics:
          prefix: prod
          requests: police.requests
          deadletter: prod.dlq
        ledger:
          path: /var/lib/freeze-relay/ledger.sqlite
          durability: normal
        sla:
          urgent: { acknowledge: 3m, freeze: 20m }
          normal: { acknowledge: 10m, freeze: 1h30m }
          escalation_steps: [10m, 30m, 2h]
          hold_warning: 1d
        chain:
          max_hops: 12
          max_children_per_answer: 200
          min_amount: "1000.50"
        outbox:
          max_backlog: 2000
          publish_batch: 100
        intake:
          batch_size: 250
        http:
          listen: 0.0.0.0:9100
        logging:
          level: debug
          format: json
        banks:
          - id: halyk
            name: Halyk Bank
            iban_bank_codes: [KZ601]
            bics: [HSBKKZKX]
            escalation_contact:
              name: Halyk fraud desk
              email: fraud-desk@halyk.example
              phone: "+7 727 000 00 00"
            topics: { requests: halyk.in, responses: halyk.out }
            sla:
              urgent: { acknowledge: 2m }
          - id: kaspi
            name: Kaspi Bank
            bics: [CASPKZKA, CASPKZKAXXX]
            enabled: false
        """

    @Test func completeFileGivesExpectedValues() throws {
        let result = try #require(loaded(Self.complete))
        let config = result.configuration
        #expect(result.warnings.isEmpty)
        #expect(config.kafka.bootstrapServers == "broker-1:9093,broker-2:9093")
        #expect(config.kafka.groupID == "relay-prod")
        #expect(config.kafka.clientID == "relay-1")
        #expect(
            config.kafka.properties == [
                "security.protocol": "SASL_SSL", "socket.timeout.ms": "30000", "enable.idempotence": "true",
            ])
        #expect(config.topics == TopicSettings(prefix: "prod", requests: "police.requests", deadletter: "prod.dlq"))
        #expect(config.ledger == LedgerSettings(path: "/var/lib/freeze-relay/ledger.sqlite", durability: .normal))
        #expect(config.sla.urgent == ResponseTimes(acknowledge: .seconds(180), freeze: .seconds(1200)))
        #expect(config.sla.normal == ResponseTimes(acknowledge: .seconds(600), freeze: .seconds(5400)))
        #expect(config.sla.escalationSteps == [.seconds(600), .seconds(1800), .seconds(7200)])
        #expect(config.sla.holdWarning == .seconds(86_400))
        #expect(config.chain == ChainSettings(maxHops: 12, maxChildrenPerAnswer: 200, minAmount: "1000.50"))
        #expect(config.outbox == OutboxSettings(maxBacklog: 2000, publishBatch: 100))
        #expect(config.intake.batchSize == 250)
        #expect(config.http.listen == .address(host: "0.0.0.0", port: 9100))
        #expect(config.logging == LoggingSettings(level: .debug, format: .json))

        #expect(config.banks.count == 2)
        let halyk = config.banks[0]
        #expect(halyk.id == "halyk")
        #expect(halyk.name == "Halyk Bank")
        #expect(halyk.ibanBankCodes == ["KZ601"])
        #expect(halyk.bics == ["HSBKKZKX"])
        #expect(halyk.enabled)
        #expect(
            halyk.escalationContact
                == EscalationContact(
                    name: "Halyk fraud desk", email: "fraud-desk@halyk.example", phone: "+7 727 000 00 00"))
        #expect(halyk.topics == BankTopicOverrides(requests: "halyk.in", responses: "halyk.out"))
        #expect(halyk.sla.urgent == ResponseTimeOverrides(acknowledge: .seconds(120)))
        #expect(halyk.sla.normal.isEmpty)
        #expect(
            config.slaWindows(for: halyk, priority: .urgent)
                == ResponseTimes(acknowledge: .seconds(120), freeze: .seconds(1200)))
        #expect(config.slaWindows(for: halyk, priority: .normal) == config.sla.normal)

        let kaspi = config.banks[1]
        #expect(!kaspi.enabled)
        #expect(kaspi.escalationContact == nil)
        #expect(kaspi.ibanBankCodes.isEmpty)
        #expect(config.enabledBanks.map(\.id) == ["halyk"])
        #expect(config.bank(id: "kaspi") == kaspi)
    }

    @Test func missingKeysTakeTheirDefaults() throws {
        let config = try #require(loaded(oneBank)).configuration
        let defaults = RelayConfiguration()
        #expect(config.kafka == defaults.kafka)
        #expect(config.kafka.bootstrapServers == nil)
        #expect(config.kafka.groupID == "freeze-relay")
        #expect(config.kafka.clientID == "freeze-relay")
        #expect(config.topics == TopicSettings(prefix: "freeze"))
        #expect(config.ledger == LedgerSettings(path: "./data/freeze-relay.sqlite", durability: .full))
        #expect(config.sla.urgent == ResponseTimes(acknowledge: .seconds(300), freeze: .seconds(1800)))
        #expect(config.sla.normal == ResponseTimes(acknowledge: .seconds(900), freeze: .seconds(7200)))
        #expect(config.sla.escalationSteps == [.seconds(900), .seconds(3600)])
        #expect(config.sla.holdWarning == .seconds(12 * 3600))
        #expect(config.chain == ChainSettings(maxHops: 8, maxChildrenPerAnswer: 50, minAmount: "0"))
        #expect(config.outbox == OutboxSettings(maxBacklog: 10_000, publishBatch: 500))
        #expect(config.intake.batchSize == 2_000)
        #expect(config.http.listen == .address(host: "127.0.0.1", port: 9464))
        #expect(config.logging == LoggingSettings(level: .info, format: .logfmt))
        #expect(config.banks[0].enabled)
        #expect(config.banks[0].bics.isEmpty)
    }

    @Test func emptySectionsAndAnEmptyFileMeanDefaults() throws {
        #expect(try #require(loaded("")).configuration == RelayConfiguration())
        #expect(try #require(loaded("# only a comment\n")).configuration == RelayConfiguration())
        #expect(try #require(loaded("kafka:\nsla:\n  urgent:\n")).configuration == RelayConfiguration())
    }

    @Test func smallForms() throws {
        let yaml = """
            kafka:
              bootstrap_servers: [a:9092, b]
            chain:
              min_amount: 250.75
            http:
              listen: off
            """
        let config = try #require(loaded(yaml)).configuration
        #expect(config.kafka.bootstrapServers == "a:9092,b")
        #expect(config.chain.minAmount == "250.75")
        #expect(config.http.listen == .off)
        let ipv6 = try #require(loaded("http:\n  listen: \"[::1]:9464\"\n")).configuration
        #expect(ipv6.http.listen == .address(host: "::1", port: 9464))
        #expect(ipv6.http.listen.description == "[::1]:9464")
    }

    @Test func noFileGivesDefaultsAndNoBanks() throws {
        let result = RelayConfiguration.load(file: nil, environment: ["FREEZE_RELAY_LEDGER__PATH": "/tmp/l.sqlite"])
        let config = try result.get().configuration
        #expect(config.banks.isEmpty)
        #expect(config.ledger.path == "/tmp/l.sqlite")
        #expect(config.logging == LoggingSettings())
    }

    @Test func missingFileIsAnError() {
        let result = RelayConfiguration.load(file: "/nonexistent/freeze-relay.yaml")
        guard case .failure(let errors) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(
            errors.errors.map(\.description) == ["configuration file /nonexistent/freeze-relay.yaml does not exist"])
    }

    @Test func loadingFromAFileNamesItInProblems() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("relay.yaml").path
        try "logging:\n  level: loud\n".write(toFile: file, atomically: true, encoding: .utf8)
        guard case .failure(let errors) = RelayConfiguration.load(file: file) else {
            Issue.record("expected failure")
            return
        }
        #expect(
            errors.errors.first?.description.hasPrefix("\(file):2:10: logging.level: \"loud\" is not one of") == true)
    }

    @Test func theShippedSampleIsValid() throws {
        let result = RelayConfiguration.load(file: samplePath)
        let loaded = try result.get()
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let config = loaded.configuration
        #expect(config.kafka.bootstrapServers == "localhost:9092")
        #expect(config.banks.map(\.id) == ["halyk", "kaspi", "forte", "jusan", "bcc"])
        #expect(config.banks.flatMap(\.ibanBankCodes) == ["KZ601", "KZ722", "KZ996", "KZ998", "KZ856"])
        #expect(config.banks.flatMap(\.bics) == ["HSBKKZKX", "CASPKZKA", "IRTYKZKA", "TSESKZKA", "KCJBKZKX"])
        #expect(config.enabledBanks.count == 4)
        #expect(config.sla == SLASettings())
        #expect(config.slaWindows(for: config.banks[1], priority: .urgent).acknowledge == .seconds(120))
        try config.validateForRun()
    }
}
