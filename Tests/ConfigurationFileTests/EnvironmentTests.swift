import ConfigurationFile
import Contracts
import Testing

@Suite struct EnvironmentTests {
    static let file = """
        kafka:
          bootstrap_servers: file:9092
          properties:
            sasl.username: from-file
        ledger:
          path: file.sqlite
        sla:
          urgent: { acknowledge: 5m, freeze: 30m }
        logging:
          level: info
          format: logfmt
        """

    @Test func environmentOverridesTheFile() throws {
        let environment = [
            "FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS": "env:9092",
            "FREEZE_RELAY_KAFKA__GROUP_ID": "env-group",
            "FREEZE_RELAY_LEDGER__PATH": "env.sqlite",
            "FREEZE_RELAY_LEDGER__DURABILITY": "normal",
            "FREEZE_RELAY_SLA__URGENT__ACKNOWLEDGE": "2m",
            "FREEZE_RELAY_SLA__NORMAL__FREEZE": "3h",
            "FREEZE_RELAY_SLA__ESCALATION_STEPS": "5m, 20m,1h",
            "FREEZE_RELAY_CHAIN__MAX_HOPS": "3",
            "FREEZE_RELAY_CHAIN__MIN_AMOUNT": "10.5",
            "FREEZE_RELAY_HTTP__LISTEN": "off",
            "FREEZE_RELAY_LOGGING__FORMAT": "json",
            "FREEZE_RELAY_TOPICS__PREFIX": "staging",
            "FREEZE_RELAY_KAFKA__PROPERTIES__SASL_USERNAME": "from-env",
            "FREEZE_RELAY_KAFKA__PROPERTIES__SOCKET_TIMEOUT_MS": "1000",
            "PATH": "/usr/bin",
        ]
        let result = try #require(loaded(Self.file, environment: environment))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let config = result.configuration
        #expect(config.kafka.bootstrapServers == "env:9092")
        #expect(config.kafka.groupID == "env-group")
        #expect(config.ledger == LedgerSettings(path: "env.sqlite", durability: .normal))
        #expect(config.sla.urgent == ResponseTimes(acknowledge: .seconds(120), freeze: .seconds(1800)))
        #expect(config.sla.normal.freeze == .seconds(3 * 3600))
        #expect(config.sla.escalationSteps == [.seconds(300), .seconds(1200), .seconds(3600)])
        #expect(config.chain.maxHops == 3)
        #expect(config.chain.minAmount == "10.5")
        #expect(config.http.listen == .off)
        #expect(config.logging == LoggingSettings(level: .info, format: .json))
        #expect(config.topics.prefix == "staging")
        #expect(config.kafka.properties == ["sasl.username": "from-env", "socket.timeout.ms": "1000"])
    }

    @Test func flagsOverrideTheEnvironment() throws {
        let environment = [
            "FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS": "env:9092",
            "FREEZE_RELAY_LEDGER__PATH": "env.sqlite",
            "FREEZE_RELAY_LOGGING__LEVEL": "warning",
            "FREEZE_RELAY_HTTP__LISTEN": "0.0.0.0:1",
        ]
        let overrides = ConfigurationOverrides(
            bootstrapServers: "flag:9092", ledgerPath: "flag.sqlite", httpListen: "127.0.0.1:0",
            logLevel: "trace", logFormat: "json")
        let config = try #require(loaded(Self.file, environment: environment, overrides: overrides)).configuration
        #expect(config.kafka.bootstrapServers == "flag:9092")
        #expect(config.ledger.path == "flag.sqlite")
        #expect(config.http.listen == .address(host: "127.0.0.1", port: 0))
        #expect(config.logging == LoggingSettings(level: .trace, format: .json))
    }

    @Test func environmentAppliesWithoutAFileAndWithEmptySections() throws {
        let environment = ["FREEZE_RELAY_SLA__URGENT__FREEZE": "40m", "FREEZE_RELAY_INTAKE__BATCH_SIZE": "10"]
        let config = try #require(loaded("sla:\nintake:\n", environment: environment)).configuration
        #expect(config.sla.urgent.freeze == .seconds(2400))
        #expect(config.intake.batchSize == 10)
    }

    @Test func badEnvironmentValuesNameTheVariable() throws {
        let environment = [
            "FREEZE_RELAY_LOGGING__LEVEL": "loud",
            "FREEZE_RELAY_CHAIN__MAX_HOPS": "eight",
            "FREEZE_RELAY_SLA__ESCALATION_STEPS": "15m,,1h",
        ]
        let errors = failures(Self.file, environment: environment)
        #expect(
            errors.errors.map(\.description).sorted() == [
                "env FREEZE_RELAY_CHAIN__MAX_HOPS: chain.max_hops: expected a whole number, found \"eight\"",
                "env FREEZE_RELAY_LOGGING__LEVEL: logging.level: \"loud\" is not one of trace, debug, info, notice, warning, error, critical",
                "env FREEZE_RELAY_SLA__ESCALATION_STEPS: sla.escalation_steps[1]: invalid duration \"\": is empty",
            ])
    }

    @Test func badFlagValuesNameTheFlag() throws {
        let errors = failures(Self.file, overrides: ConfigurationOverrides(logFormat: "xml"))
        #expect(
            errors.errors.map(\.description) == [
                "flag --log-format: logging.format: \"xml\" is not one of logfmt, json"
            ])
    }

    @Test func environmentCanBreakTheDeadlineOrderAndIsBlamedForIt() throws {
        let errors = failures(Self.file, environment: ["FREEZE_RELAY_SLA__URGENT__FREEZE": "1m"])
        let problem = try #require(error(at: "sla.urgent.freeze", in: errors))
        #expect(problem.source == .environment(variable: "FREEZE_RELAY_SLA__URGENT__FREEZE"))
    }

    @Test func managedPropertiesAreRefusedFromTheEnvironmentToo() throws {
        let errors = failures("", environment: ["FREEZE_RELAY_KAFKA__PROPERTIES__GROUP_ID": "other"])
        let problem = try #require(error(at: "kafka.properties.group.id", in: errors))
        #expect(problem.source == .environment(variable: "FREEZE_RELAY_KAFKA__PROPERTIES__GROUP_ID"))
        #expect(problem.message.contains("set kafka.group_id instead"))
    }

    @Test func secretSourcesCanComeFromTheEnvironment() throws {
        let environment = [
            "FREEZE_RELAY_KAFKA__SECRET_ENV__SASL_PASSWORD": "MY_PASSWORD",
            "MY_PASSWORD": "pw",
        ]
        let config = try #require(loaded("", environment: environment)).configuration
        #expect(config.kafka.secretEnvironment == ["sasl.password": "MY_PASSWORD"])
        #expect(config.kafka.secrets["sasl.password"]?.revealed == "pw")
    }

    @Test func unknownVariablesAreWarningsWithSuggestions() throws {
        let environment = [
            "FREEZE_RELAY_LEDGER__PTH": "x",
            "FREEZE_RELAY_LOGGING_LEVEL": "debug",
            "FREEZE_RELAY_BANKS__0__ID": "x",
            "FREEZE_RELAY_SOMETHING": "x",
            "FREEZE_RELAY_SSL_KEY_PASSWORD": "referenced by secret_env",
            "FREEZE_RELAY_CONFIG": "used by the CLI itself",
            "FREEZE_RELAY_LEDGER__DURABILITY": "",
        ]
        let yaml = """
            kafka:
              secret_env:
                ssl.key.password: FREEZE_RELAY_SSL_KEY_PASSWORD
            """
        let result = RelayConfiguration.load(
            yaml: yaml, sourceName: fileName, environment: environment,
            otherVariables: ["FREEZE_RELAY_CONFIG"])
        let warnings = try result.get().warnings.map(\.description)
        #expect(
            warnings == [
                "env FREEZE_RELAY_LEDGER__DURABILITY: ledger.durability: is set but empty, so it is ignored",
                "env FREEZE_RELAY_BANKS__0__ID: banks cannot be configured from the environment; edit the file; variable ignored",
                "env FREEZE_RELAY_LEDGER__PTH: no configuration key matches this variable "
                    + "(did you mean \"FREEZE_RELAY_LEDGER__PATH\"?); variable ignored",
                "env FREEZE_RELAY_LOGGING_LEVEL: no configuration key matches this variable "
                    + "(did you mean \"FREEZE_RELAY_LOGGING__LEVEL\"?); variable ignored",
                "env FREEZE_RELAY_SOMETHING: no configuration key matches this variable; variable ignored",
            ])
    }

    @Test func variableNames() {
        #expect(
            EnvironmentOverrides.variableName(for: "kafka.bootstrap_servers") == "FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS"
        )
        #expect(
            EnvironmentOverrides.variableName(for: "sla.urgent.acknowledge") == "FREEZE_RELAY_SLA__URGENT__ACKNOWLEDGE")
        #expect(
            EnvironmentOverrides.variableName(forProperty: "sasl.username")
                == "FREEZE_RELAY_KAFKA__PROPERTIES__SASL_USERNAME")
        #expect(EnvironmentOverrides.variableName(forProperty: "ssl.endpoint.identification_algorithm") == nil)
        #expect(EnvironmentOverrides.knownVariableNames.count == 29)
    }

    @Test func everyKnownVariableIsAccepted() throws {
        // A valid value for every overridable key, by the kind of key.
        func value(for name: String) -> String {
            if name.hasSuffix("ACKNOWLEDGE") { return "1m" }
            if name.hasSuffix("FREEZE") || name.hasSuffix("HOLD_WARNING") { return "2h" }
            if name.hasSuffix("ESCALATION_STEPS") { return "1m,2m" }
            if name.hasSuffix("STALL_TIMEOUT") { return "90s" }
            if name.contains("CHAIN__MIN_AMOUNT") { return "1" }
            if name.contains("CHAIN__") || name.contains("OUTBOX__") || name.contains("INTAKE__") { return "7" }
            if name.hasSuffix("DURABILITY") { return "normal" }
            if name.hasSuffix("DEAD_LETTER_RETENTION") { return "7d" }
            if name.hasSuffix("MAX_DEAD_LETTER_BYTES") { return "7MiB" }
            if name.hasSuffix("HTTP__LISTEN") { return "127.0.0.1:1" }
            if name.hasSuffix("LOGGING__LEVEL") { return "debug" }
            if name.hasSuffix("LOGGING__FORMAT") { return "json" }
            if name.hasSuffix("ACCOUNT_LINKS__WINDOW") { return "14d" }
            return "value-7"
        }
        let environment = Dictionary(
            uniqueKeysWithValues: EnvironmentOverrides.knownVariableNames.map { ($0, value(for: $0)) })
        let result = try #require(loaded("", environment: environment))
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let config = result.configuration
        #expect(config.kafka.clientID == "value-7")
        #expect(config.topics.deadletter == "value-7")
        #expect(config.outbox.publishBatch == 7)
        #expect(config.intake.stallTimeout == .seconds(90))
        #expect(config.sla.holdWarning == .seconds(7200))
        #expect(
            config.ledger.deadLetterRetention == .seconds(7 * 86_400) && config.ledger.maxDeadLetterBytes == 7 << 20)
        #expect(config.accountLinks.window == .seconds(14 * 86_400))
    }
}
