import ConfigurationFile
import Testing

@Suite struct DumpAndRunTests {
    @Test func dumpLoadsBackToTheSameConfiguration() throws {
        let original = try #require(loaded(LoadingTests.complete)).configuration
        let dump = original.redactedDump()
        let reloaded = try #require(loaded(dump)).configuration
        #expect(reloaded == original, "dump was:\n\(dump)")
    }

    @Test func sampleDumpLoadsBack() throws {
        let original = try RelayConfiguration.load(file: samplePath).get().configuration
        let reloaded = try #require(loaded(original.redactedDump())).configuration
        #expect(reloaded == original)
    }

    @Test func dumpQuotesStringsThatWouldReadAsOtherTypes() throws {
        var config = RelayConfiguration()
        config.chain.minAmount = "0"
        config.kafka.properties = ["enable.idempotence": "true", "linger.ms": "5"]
        config.ledger.path = "off"
        let dump = config.redactedDump()
        #expect(dump.contains("min_amount: \"0\""))
        #expect(dump.contains("path: \"off\""))
        let reloaded = try #require(loaded(dump)).configuration
        #expect(reloaded == config)
    }

    @Test func dumpShowsDefaultsWithoutAFile() throws {
        let dump = RelayConfiguration().redactedDump()
        #expect(dump.contains("group_id: freeze-relay"))
        #expect(dump.contains("escalation_steps: [15m, 1h]"))
        #expect(dump.contains("listen: 127.0.0.1:9464"))
        #expect(!dump.contains("bootstrap_servers"))
    }

    @Test func runNeedsBootstrapServersAndAnEnabledBank() throws {
        #expect(throws: ConfigurationErrors.self) { try RelayConfiguration().validateForRun() }
        do {
            try RelayConfiguration().validateForRun()
        } catch {
            #expect(
                error.errors.map(\.description) == [
                    "kafka.bootstrap_servers: required to run: set it in the file, with FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS "
                        + "or with --bootstrap-servers",
                    "banks: no banks configured: run needs at least one enabled bank to route requests to",
                    "authenticity: no issuers registered, so every order would be refused (policy require): register the issuers whose "
                        + "orders the relay accepts under authenticity.issuers, or set authenticity.policy: off to accept unsigned orders "
                        + "from anyone who can write to the requests topic",
                ])
        }
        let disabled = """
            kafka: { bootstrap_servers: "localhost:9092" }
            authenticity: { policy: "off" }
            banks:
              - { id: a, name: A, bics: [HSBKKZKX], enabled: false }
            """
        let config = try #require(loaded(disabled)).configuration
        do {
            try config.validateForRun()
            Issue.record("expected validateForRun to refuse")
        } catch {
            #expect(
                error.errors.map(\.description) == [
                    "banks: all 1 banks are disabled: run needs at least one enabled bank to route requests to"
                ])
        }
        let ready = try #require(
            loaded(
                oneBank + "\nauthenticity: { policy: \"off\" }\n",
                overrides: ConfigurationOverrides(bootstrapServers: "localhost:9092")))
        try ready.configuration.validateForRun()
    }
}
