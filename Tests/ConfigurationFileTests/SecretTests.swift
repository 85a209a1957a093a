import ConfigurationFile
import Foundation
import Testing

@Suite struct SecretTests {
    static let filePassword = "file-s3cret-Zq81"
    static let envPassword = "env-s3cret-Pw27"
    static let inlineToken = "inline-t0ken-Xy55"
    static let envProperty = "envprop-s3cret-Jk90"
    static let allSecrets = [filePassword, envPassword, inlineToken, envProperty]

    /// Everything that could be printed about a load result.
    static func printedForms(_ result: Result<LoadedConfiguration, ConfigurationErrors>) -> [String] {
        switch result {
        case .success(let loaded):
            var dumped = ""
            dump(loaded.configuration, to: &dumped)
            var dumpedKafka = ""
            dump(loaded.configuration.kafka, to: &dumpedKafka)
            return [
                loaded.configuration.redactedDump(), loaded.configuration.description,
                String(describing: loaded.configuration), String(reflecting: loaded.configuration),
                String(describing: loaded.configuration.kafka), String(reflecting: loaded.configuration.kafka),
                String(describing: loaded.configuration.kafka.secrets),
                String(describing: loaded.configuration.kafka.properties),
                dumped, dumpedKafka,
            ] + loaded.warnings.map(\.description)
        case .failure(let errors):
            return [errors.description, String(describing: errors), String(reflecting: errors)]
        }
    }

    static func expectNoSecret(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            for secret in allSecrets {
                #expect(!text.contains(secret), "secret leaked into: \(text)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func secretsAreResolvedButNeverPrinted() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("kafka-password").path
        try "\(Self.filePassword)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let yaml = """
            kafka:
              bootstrap_servers: localhost:9092
              properties:
                security.protocol: SASL_SSL
                sasl.oauthbearer.client.secret: \(Self.inlineToken)
              secret_files:
                sasl.password: \(passwordFile)
              secret_env:
                ssl.key.password: RELAY_KEY_PASSWORD
            """
        let environment = [
            "RELAY_KEY_PASSWORD": Self.envPassword,
            "FREEZE_RELAY_KAFKA__PROPERTIES__SSL_KEYSTORE_PASSWORD": Self.envProperty,
        ]
        let result = load(yaml, environment: environment)
        let loaded = try result.get()
        let kafka = loaded.configuration.kafka
        #expect(kafka.secrets["sasl.password"]?.revealed == Self.filePassword)
        #expect(kafka.secrets["ssl.key.password"]?.revealed == Self.envPassword)
        #expect(kafka.secrets["sasl.oauthbearer.client.secret"]?.revealed == Self.inlineToken)
        #expect(kafka.secrets["ssl.keystore.password"]?.revealed == Self.envProperty)
        #expect(kafka.properties == ["security.protocol": "SASL_SSL"])
        #expect(
            kafka.clientProperties() == [
                "bootstrap.servers": "localhost:9092", "client.id": "freeze-relay", "security.protocol": "SASL_SSL",
                "sasl.password": Self.filePassword, "ssl.key.password": Self.envPassword,
                "sasl.oauthbearer.client.secret": Self.inlineToken, "ssl.keystore.password": Self.envProperty,
            ])
        // The inline secret draws a warning that names the key, not the value.
        #expect(loaded.warnings.map(\.path) == ["kafka.properties.sasl.oauthbearer.client.secret"])
        Self.expectNoSecret(Self.printedForms(result))

        let dump = loaded.configuration.redactedDump()
        #expect(
            dump.contains("sasl.oauthbearer.client.secret: '[redacted]'")
                || dump.contains("sasl.oauthbearer.client.secret: \"[redacted]\""))
        #expect(dump.contains("ssl.keystore.password:"))
        #expect(dump.contains("sasl.password: \(passwordFile)"))
        #expect(dump.contains("ssl.key.password: RELAY_KEY_PASSWORD"))
    }

    @Test func secretsStayOutOfErrorsAboutTheirKeys() throws {
        let yaml = """
            kafka:
              properties:
                sasl.password: \(Self.inlineToken)
                group.id: \(Self.envProperty)
              secret_env:
                sasl.password: SOME_VAR
            banks:
              - id: halyk
                sasl.password: \(Self.filePassword)
            """
        let result = load(yaml, environment: ["SOME_VAR": Self.envPassword])
        guard case .failure(let errors) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(
            errors.errors.contains {
                $0.path == "kafka.secret_env.sasl.password" && $0.message.contains("also set in kafka.properties")
            })
        Self.expectNoSecret(Self.printedForms(result))
    }

    @Test func yamlSyntaxErrorsDoNotQuoteTheLine() {
        let yaml = "kafka:\n  properties:\n    sasl.password: \(Self.inlineToken): oops\n"
        let result = load(yaml)
        guard case .failure(let errors) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(errors.errors.first?.line == 3)
        Self.expectNoSecret(Self.printedForms(result))
    }

    @Test func missingSecretSourcesNameTheFileOrVariable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let emptyFile = directory.appendingPathComponent("empty").path
        try "  \n".write(toFile: emptyFile, atomically: true, encoding: .utf8)
        let yaml = """
            kafka:
              secret_files:
                sasl.password: /run/secrets/does-not-exist
                ssl.key.password: \(emptyFile)
                ssl.keystore.password: \(directory.path)
              secret_env:
                sasl.oauthbearer.client.secret: UNSET_VARIABLE
                ssl.truststore.password: EMPTY_VARIABLE
                some.token: "not a name"
            """
        let errors = failures(yaml, environment: ["EMPTY_VARIABLE": ""])
        #expect(
            errors.errors.map(\.description) == [
                "freeze-relay.yaml:3:20: kafka.secret_files.sasl.password: secret file /run/secrets/does-not-exist does not exist",
                "freeze-relay.yaml:4:23: kafka.secret_files.ssl.key.password: secret file \(emptyFile) is empty",
                "freeze-relay.yaml:5:28: kafka.secret_files.ssl.keystore.password: secret file \(directory.path) is a directory",
                "freeze-relay.yaml:7:37: kafka.secret_env.sasl.oauthbearer.client.secret: environment variable UNSET_VARIABLE is not set",
                "freeze-relay.yaml:8:30: kafka.secret_env.ssl.truststore.password: environment variable EMPTY_VARIABLE is set but empty",
                "freeze-relay.yaml:9:17: kafka.secret_env.some.token: is not a valid environment variable name "
                    + "(letters, digits and '_', not starting with a digit)",
            ])
    }

    @Test func secretValueNeverPrintsItself() {
        let secret = SecretValue(Self.filePassword)
        var dumped = ""
        dump(secret, to: &dumped)
        Self.expectNoSecret(["\(secret)", String(reflecting: secret), dumped, "\([secret])"])
        #expect("\(secret)" == "[redacted]")
    }

    @Test func secretLookingNames() {
        for name in [
            "sasl.password", "ssl.key.password", "sasl.oauthbearer.client.secret",
            "sasl.oauthbearer.token.endpoint.url",
            "ssl.key.pem", "ssl.certificate.pem", "sasl.jaas.config", "sasl.oauthbearer.config",
        ] {
            #expect(KafkaSettings.isSecretProperty(name), "\(name)")
        }
        for name in ["sasl.username", "security.protocol", "ssl.ca.location", "socket.timeout.ms"] {
            #expect(!KafkaSettings.isSecretProperty(name), "\(name)")
        }
    }
}
