import Authenticity
import Configuration
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
        #expect(error(at: "authenticity.issuers[0].keys[0].public_key_file", in: missing)?.message.contains("does not exist") == true)
    }

    @Test func everyMistakeIsNamedWhereItIs() throws {
        let privateKey = indented(north.pem, by: 14)
        let cases: [(String, String, String)] = [
            ("authenticity:\n  policy: strict\n", "authenticity.policy", "not one of"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k1 }] }\n", "authenticity.issuers[0].keys[0]", "public_key"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k1, public_key: nonsense }] }\n",
             "authenticity.issuers[0].keys[0].public_key", "not a key"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: 'a b', public_key: x }] }\n",
             "authenticity.issuers[0].keys[0].kid", "printable ASCII"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [] }\n", "authenticity.issuers[0].keys", "at least one"),
            ("authenticity:\n  issuers:\n    - { id: a, keys: [{ kid: k, public_key: x }] }\n", "authenticity.issuers[0].agencies", "required"),
            ("authenticity:\n  issuers:\n    - { id: 'a b', agencies: [A], keys: [{ kid: k, public_key: x }] }\n", "authenticity.issuers[0].id", "letters, digits"),
            ("authenticity:\n  issuers:\n    - id: a\n      agencies: [A]\n      keys:\n        - kid: k\n          public_key: |\n\(privateKey)\n",
             "authenticity.issuers[0].keys[0].public_key", "private key"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k, public_key: x, public_key_file: /x }] }\n",
             "authenticity.issuers[0].keys[0].public_key_file", "not both"),
            ("authenticity:\n  issuers:\n    - { id: a, agencies: [A], keys: [{ kid: k, public_key: x, not_before: yesterday }] }\n",
             "authenticity.issuers[0].keys[0].not_before", "RFC 3339"),
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
        let sameAgency = sameKid.replacingOccurrences(of: "agencies: [B], keys: [{ kid: shared", with: "agencies: [A], keys: [{ kid: other")
        #expect(error(at: "authenticity.issuers", in: failures(sameAgency))?.message.contains("agency \"A\"") == true)
        let backwards = """
            authenticity:
              issuers:
                - { id: a, agencies: [A], keys: [{ kid: k, public_key: '\(key)', not_before: "2026-02-01T00:00:00Z", not_after: "2026-01-01T00:00:00Z" }] }
            """
        #expect(error(at: "authenticity.issuers[0].keys[0].not_after", in: failures(backwards))?.message.contains("before not_before") == true)
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
}
