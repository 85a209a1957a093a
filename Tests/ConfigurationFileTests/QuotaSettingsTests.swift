import Authenticity
import ConfigurationFile
import Contracts
import Foundation
import Testing

@Suite struct QuotaSettingsTests {
    static let registry = """
        authenticity:
          policy: "off"
          issuers:
            - id: north-police
              agencies: [North Police]
              keys:
                - kid: north-1
                  public_key: '\(String(decoding: JSONValue.object(SigningKey.generate().publicKey.jwk()).canonicalBytes, as: UTF8.self))'
        """

    @Test func withoutASectionTheDocumentedDefaultsApply() throws {
        let quotas = try #require(loaded("")).configuration.quotas
        #expect(quotas.issuer == .init(perMinute: 600, perDay: 20_000))
        #expect(quotas.accountOpenRequests == 20 && quotas.accountRepeats == 10)
        #expect(quotas.accountRepeatWindow == .seconds(86_400))
        #expect(quotas.issuers.isEmpty)
    }

    @Test func limitsOverridesAndOffAreRead() throws {
        let quotas = try #require(
            loaded(
                Self.registry + """

                    quotas:
                      issuer: {per_minute: 30, per_day: "off"}
                      issuers:
                        - id: north-police
                          per_minute: 1_000
                      account:
                        open_requests: off
                        repeats: 3
                        repeat_window: 6h
                    """)
        ).configuration.quotas
        #expect(quotas.issuer == .init(perMinute: 30, perDay: nil))
        // An override's unwritten limit is the section's own issuer limit, not the built-in default.
        #expect(quotas.issuers == [.init(id: "north-police", limits: .init(perMinute: 1000, perDay: nil))])
        #expect(quotas.accountOpenRequests == nil && quotas.accountRepeats == 3)
        #expect(quotas.accountRepeatWindow == .seconds(6 * 3600))
    }

    @Test(arguments: ["quotas: off", "quotas: \"off\""])
    func theWholeSectionCanBeTurnedOff(line: String) throws {
        #expect(try #require(loaded(line)).configuration.quotas == .off)
    }

    @Test func mistakesNameTheKeyAndWhy() {
        let errors = failures(
            Self.registry + """

                quotas:
                  issuer: {per_minute: 0, per_hour: 5}
                  issuers:
                    - id: south-police
                    - {id: north-police}
                    - {id: north-police}
                  account:
                    repeats: many
                """)
        #expect(error(at: "quotas.issuer.per_minute", in: errors)?.message.contains("between 1 and") == true)
        #expect(error(at: "quotas.issuer.per_hour", in: errors)?.message.contains("unknown key") == true)
        #expect(
            error(at: "quotas.issuers[0].id", in: errors)?.message.contains("not an issuer in authenticity.issuers")
                == true)
        #expect(error(at: "quotas.issuers[2].id", in: errors)?.message.contains("limits twice") == true)
        #expect(error(at: "quotas.account.repeats", in: errors)?.message.contains("whole number") == true)
    }

    @Test func theEffectiveConfigurationShowsTheQuotas() throws {
        let dump = try #require(loaded("quotas:\n  account: {repeats: off}\n")).configuration.redactedDump()
        #expect(dump.contains("quotas:\n  issuer:\n    per_minute: 600\n    per_day: 20000\n"))
        #expect(dump.contains("    repeats: \"off\"\n"), "quoted: unquoted, YAML 1.1 would read off as false")
    }
}
