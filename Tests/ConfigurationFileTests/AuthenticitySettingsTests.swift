import Authenticity
import ConfigurationFile
import Contracts
import Foundation
import Testing

@Suite struct AuthenticitySettingsTests {
    let north = SigningKey.generate()
    let south = SigningKey.generate(.es256)

    func indented(_ text: String, by spaces: Int) -> String {
        text.split(separator: "\n").map { String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
    }

    func yaml(extraKey: String = "") -> String {
        """
        authenticity:
          policy: require
          issuers:
            - id: north-police
              agencies: ["North Police", "North Cyber Unit"]
              keys:
                - kid: north-2026
                  public_key: |
        \(indented(north.publicKey.pem, by: 12))
                  not_before: 2026-01-01T00:00:00Z
                  not_after: "2026-12-31T23:59:59Z"
            - id: south-police
              agencies: [South Police]
              policy: warn
              keys:
                - kid: south-1
                  public_key: '\(String(decoding: JSONValue.object(south.publicKey.jwk()).canonicalBytes, as: UTF8.self))'
        \(extraKey)
        """
    }

    @Test func theRegistryIsReadWithKeysInEitherForm() throws {
        let configuration = try #require(loaded(yaml())).configuration
        let settings = configuration.authenticity
        #expect(settings.policy == .require)
        #expect(settings.issuers.map(\.id) == ["north-police", "south-police"])
        #expect(settings.issuers[0].keys[0].key == north.publicKey)
        #expect(settings.issuers[0].keys[0].notBefore == (try Timestamp(parsing: "2026-01-01T00:00:00Z")))
        #expect(settings.issuers[0].keys[0].notAfter == (try Timestamp(parsing: "2026-12-31T23:59:59Z")))
        #expect(settings.issuers[1].keys[0].key == south.publicKey)
        #expect(settings.issuers[1].policy == .warn)
        let registry = try settings.registry()
        #expect(registry.policy(forAgency: "South Police") == .warn)
        #expect(registry.policy(forAgency: "Anyone") == .require)
        // What the dump shows loads back to the same settings.
        let reloaded = try #require(loaded(configuration.redactedDump())).configuration
        #expect(reloaded.authenticity == settings)
    }

    @Test func theMaximumOrderAgeDefaultsToAWeek() throws {
        #expect(
            try #require(loaded("authenticity:\n  policy: require\n")).configuration.authenticity.maxOrderAge
                == .seconds(7 * 86_400))
        let configuration = try #require(loaded("authenticity:\n  max_order_age: 36h\n")).configuration
        #expect(configuration.authenticity.maxOrderAge == .seconds(36 * 3600))
        #expect(try configuration.authenticity.registry().maxOrderAge == .seconds(36 * 3600))
        #expect(
            try #require(loaded(configuration.redactedDump())).configuration.authenticity.maxOrderAge
                == .seconds(36 * 3600))
        #expect(error(at: "authenticity.max_order_age", in: failures("authenticity:\n  max_order_age: 0s\n")) != nil)
    }

    @Test func unquotedOffMeansOff() throws {
        #expect(try #require(loaded("authenticity:\n  policy: off\n")).configuration.authenticity.policy == .off)
        #expect(try #require(loaded("authenticity:\n  policy: \"off\"\n")).configuration.authenticity.policy == .off)
    }

    @Test func keysAreReadFromFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("north.pub.pem").path
        try north.publicKey.pem.write(toFile: file, atomically: true, encoding: .utf8)
        let text = """
            authenticity:
              issuers:
                - id: north
                  agencies: [North Police]
                  keys: [{ kid: n1, public_key_file: "\(file)" }]
            """
        let settings = try #require(loaded(text)).configuration.authenticity
        #expect(settings.issuers[0].keys[0].key == north.publicKey)
        #expect(settings.issuers[0].keys[0].file == file)
        let missing = failures(text.replacingOccurrences(of: file, with: file + ".gone"))
        #expect(
            error(at: "authenticity.issuers[0].keys[0].public_key_file", in: missing)?.message.contains(
                "does not exist") == true)
    }

    @Test func everyMistakeIsNamedWhereItIs() throws {
        let privateKey = indented(north.pem, by: 14)
        let cases: [(String, String, String)] = [
            ("authenticity:\n  policy: strict\n", "authenticity.policy", "not one of"),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k1 }] }\n",
                "authenticity.issuers[0].keys[0]", "public_key"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k1, public_key: nonsense }] }\n",
                "authenticity.issuers[0].keys[0].public_key", "not a key"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: 'a b', public_key: x }] }\n",
                "authenticity.issuers[0].keys[0].kid", "printable ASCII"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [] }\n", "authenticity.issuers[0].keys",
                "at least one"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, keys: [{ kid: k, public_key: x }] }\n",
                "authenticity.issuers[0].agencies", "required"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: 'a b', agencies: [A], keys: [{ kid: k, public_key: x }] }\n",
                "authenticity.issuers[0].id", "letters, digits"
            ),
            (
                "authenticity:\n  issuers:\n    - id: a\n      agencies: [A]\n      keys:\n        - kid: k\n          public_key: |\n\(privateKey)\n",
                "authenticity.issuers[0].keys[0].public_key", "private key"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k, public_key: x, public_key_file: /x }] }\n",
                "authenticity.issuers[0].keys[0].public_key_file", "not both"
            ),
            (
                "authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k, public_key: x, not_before: yesterday }] }\n",
                "authenticity.issuers[0].keys[0].not_before", "RFC 3339"
            ),
            ("authenticity:\n  trust: all\n", "authenticity.trust", "unknown key"),
        ]
        for (text, path, expected) in cases {
            let problems = failures(text)
            let found = problems.errors.first { $0.path == path }
            #expect(found?.message.contains(expected) == true, "\(path): \(problems)")
        }
    }

    @Test func ambiguousRegistriesAreRefused() throws {
        let key = String(decoding: JSONValue.object(north.publicKey.jwk()).canonicalBytes, as: UTF8.self)
        let sameKid = """
            authenticity:
              issuers:
                - { id: a, agencies: [A], keys: [{ kid: shared, public_key: '\(key)' }] }
                - { id: b, agencies: [B], keys: [{ kid: shared, public_key: '\(key)' }] }
            """
        #expect(error(at: "authenticity.issuers", in: failures(sameKid))?.message.contains("key id \"shared\"") == true)
        let sameAgency = sameKid.replacingOccurrences(
            of: "agencies: [B], keys: [{ kid: shared", with: "agencies: [A], keys: [{ kid: other")
        #expect(error(at: "authenticity.issuers", in: failures(sameAgency))?.message.contains("agency \"A\"") == true)
        let backwards = """
            authenticity:
              issuers:
                - { id: a, agencies: [A], keys: [{ kid: k, public_key: '\(key)', not_before: "2026-02-01T00:00:00Z", not_after: "2026-01-01T00:00:00Z" }] }
            """
        #expect(
            error(at: "authenticity.issuers[0].keys[0].not_after", in: failures(backwards))?.message.contains(
                "before not_before") == true)
    }

    @Test func runNeedsIssuersUnlessSignaturesAreOff() throws {
        let base = "kafka: { bootstrap_servers: \"localhost:9092\" }\n" + oneBank + "\n"
        let absent = try #require(loaded(base)).configuration
        #expect(throws: ConfigurationErrors.self) { try absent.validateForRun() }
        let off = try #require(loaded(base + "authenticity: { policy: \"off\" }\n")).configuration
        try off.validateForRun()
        let registered = try #require(loaded(base + yaml())).configuration
        try registered.validateForRun()
    }

    @Test func theRelayKeyIsReadFromItsFileAndNeverShown() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let relay = SigningKey.generate()
        let file = directory.appendingPathComponent("relay.key").path
        try relay.pem.write(toFile: file, atomically: true, encoding: .utf8)
        let previous = String(decoding: JSONValue.object(north.publicKey.jwk()).canonicalBytes, as: UTF8.self)
        let text = """
            authenticity:
              policy: "off"
              relay_key: { kid: relay-2027, private_key_file: "\(file)" }
              relay_previous_keys:
                - { kid: relay-2026, public_key: '\(previous)' }
            """
        let configuration = try #require(loaded(text)).configuration
        let signer = try #require(try configuration.authenticity.relaySigner())
        #expect(signer.keyID == "relay-2027" && signer.publicKey == relay.publicKey)
        #expect(signer.previous.map(\.keyID) == ["relay-2026"])
        // The dump names the file, never the key; it loads back to the same settings.
        let dump = configuration.redactedDump()
        guard case .string(let secret)? = relay.jwk()["d"] else { throw KeyFormatError("no d") }
        #expect(dump.contains(file) && !dump.contains(secret) && !dump.contains("PRIVATE KEY"))
        #expect(try #require(loaded(dump)).configuration.authenticity == configuration.authenticity)

        let es256 = directory.appendingPathComponent("relay-es256.key").path
        try SigningKey.generate(.es256).pem.write(toFile: es256, atomically: true, encoding: .utf8)
        let refused = failures("authenticity:\n  relay_key: { kid: r, private_key_file: \"\(es256)\" }\n")
        #expect(error(at: "authenticity.relay_key.private_key_file", in: refused)?.message.contains("Ed25519") == true)
        let missing = failures("authenticity:\n  relay_key: { kid: r, private_key_file: \"\(file).gone\" }\n")
        #expect(
            error(at: "authenticity.relay_key.private_key_file", in: missing)?.message.contains("does not exist")
                == true)
        let clash = failures(text.replacingOccurrences(of: "kid: relay-2026", with: "kid: relay-2027"))
        #expect(
            error(at: "authenticity.relay_previous_keys[0].kid", in: clash)?.message.contains("active relay key")
                == true)
    }

    @Test func aBanksAnswerKeysAreReadAndDumped() throws {
        let key = String(decoding: JSONValue.object(north.publicKey.jwk()).canonicalBytes, as: UTF8.self)
        let text =
            oneBank + """

                    answer_signing:
                      policy: warn
                      keys: [{ kid: halyk-1, public_key: '\(key)' }]
                """
        let configuration = try #require(loaded(text)).configuration
        let signing = try #require(configuration.banks.first?.answerSigning)
        #expect(signing.policy == .warn && signing.keys.map(\.keyID) == ["halyk-1"])
        #expect(try signing.registry(bankID: "halyk").policy(forAgency: "halyk") == .warn)
        #expect(try #require(loaded(configuration.redactedDump())).configuration.banks == configuration.banks)
        let keyless = failures(oneBank + "\n    answer_signing: { policy: require }\n")
        #expect(error(at: "banks[0].answer_signing.keys", in: keyless)?.message.contains("required") == true)
    }

    /// A small-order Ed25519 key (here the identity, written as a JWK and as a PEM file) is refused
    /// where it is configured, naming whose key and which kid, never the key's text.
    @Test func smallOrderKeysAreRefusedNamingTheirOwnerAndKid() throws {
        let identity = Base64URL.encode([0x01] + [UInt8](repeating: 0, count: 31))
        let jwk = #"{"kty":"OKP","crv":"Ed25519","x":"\#(identity)"}"#
        let issuer = failures(
            "authenticity:\n  issuers:\n    - { id: north-police, agencies: [North], keys: [{ kid: north-1, public_key: '\(jwk)' }] }\n"
        )
        let issuerError = try #require(error(at: "authenticity.issuers[0].keys[0].public_key", in: issuer))
        #expect(issuerError.message.hasPrefix("key \"north-1\" of issuer \"north-police\": "), "\(issuerError.message)")
        #expect(issuerError.message.contains("small order") && !issuerError.message.contains(identity))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("weak-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("halyk.pem").path
        let der =
            [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + [0x01]
            + [UInt8](repeating: 0, count: 31)
        try ("-----BEGIN PUBLIC KEY-----\n" + Data(der).base64EncodedString() + "\n-----END PUBLIC KEY-----\n").write(
            toFile: file, atomically: true, encoding: .utf8)
        let bank = failures(
            oneBank + "\n    answer_signing: { keys: [{ kid: halyk-1, public_key_file: \"\(file)\" }] }\n")
        let bankError = try #require(error(at: "banks[0].answer_signing.keys[0].public_key_file", in: bank))
        #expect(
            bankError.message.hasPrefix("key \"halyk-1\" of bank \"halyk\": key file \(file): "), "\(bankError.message)"
        )
        #expect(bankError.message.contains("small order"))
    }
}
