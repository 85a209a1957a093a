import ArgumentParser
import Foundation
import Testing

@testable import FreezeRelay

@Suite("check-config")
struct CheckConfigCommandTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    func write(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("the sample configuration is valid, for run too, and --print redacts secrets")
    func sampleIsValid() async throws {
        let sample = Self.packageRoot.appendingPathComponent("deploy/freeze-relay.example.yaml").path
        let output = try CheckConfigCommand.parse([sample, "--for-run"]).output()
        #expect(output.contains("valid (5 banks, 4 enabled)"))
        let withSecret = try write(
            """
            kafka:
              bootstrap_servers: localhost:9092
              properties:
                sasl.password: hunter2-do-not-print
            banks:
              - id: halyk
                name: Halyk
                iban_bank_codes: [KZ601]
                escalation_contact: {email: desk@halyk.example}
            """)
        let dump = try CheckConfigCommand.parse([withSecret, "--print"]).output()
        #expect(dump.contains("[redacted]"))
        #expect(!dump.contains("hunter2-do-not-print"))
    }

    @Test("a bad file fails with exit 2 and every problem with its line")
    func badFile() async throws {
        let path = try write(
            """
            kafka:
              bootstrap_servers: localhost:9092
            sla:
              urgent: {acknowledge: 5 minutes}
            banks:
              - id: halyk
                name: Halyk
                iban_bank_codes: [KZ601]
                escalation_contact: {email: desk@halyk.example}
              - id: kaspi
                name: Kaspi
                iban_bank_codes: [KZ601]
                colour: red
            """)
        let failure = await failure { try CheckConfigCommand.parse([path]).output() }
        let message = try #require(failure).message
        #expect(failure?.exitCode == 2)
        #expect(message.contains("4:") && message.contains("sla.urgent.acknowledge"))
        #expect(
            message.contains("banks[1].iban_bank_codes[0]") && message.contains("halyk") && message.contains("kaspi"))
        #expect(message.contains("banks[1].colour"))
        #expect(message.contains("banks[1]") && message.contains("escalation"))
        #expect(await exitStatus(try CheckConfigCommand.parse([path])) == 2)
    }
}
