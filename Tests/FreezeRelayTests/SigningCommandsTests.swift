import Authenticity
import Contracts
import Foundation
import TestSupport
import Testing

/// `keys generate`, `sign`, `verify` and `keys jwks`, run as an integrator would run them.
@Suite("Signing commands")
struct SigningCommandsTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    func freezeRelay(_ arguments: [String], input: [UInt8]? = nil) throws -> Run {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        (process.standardOutput, process.standardError, process.standardInput) = (output, errors, stdin)
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self))
    }

    @Test("a key made by keys generate signs an order that verify accepts against the registry, and nothing else")
    func generateSignVerify() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("police.key").path
        let generated = try freezeRelay(["keys", "generate", "--kid", "almaty-1", "--private-key", keyFile])
        #expect(generated.status == 0, "\(generated.errors)")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(
            try freezeRelay(["keys", "generate", "--kid", "almaty-1", "--private-key", keyFile]).status == 2,
            "never overwrites a key")
        // The printed configuration line registers the key.
        let keyLine = try #require(generated.output.split(separator: "\n").first { $0.contains("public_key: '") })
        let config = directory.appendingPathComponent("relay.yaml").path
        try """
        authenticity:
          issuers:
            - id: almaty
              agencies: ["Almaty City Police"]
              keys:
                - kid: almaty-1
        \(keyLine)
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let order = try EventEncoder.encode(
            FreezeRequest(
                id: UUID(), createdAt: Timestamp(Date()), requestID: UUID(), caseID: "CASE-1",
                issuedAt: Timestamp(Date()), priority: .urgent,
                issuer: Issuer(agency: "Almaty City Police", officerID: "OF-1"), legalBasis: "Decision 1",
                account: TargetAccount(iban: try IBAN(countryCode: "KZ", bban: "1250000000000042")),
                amount: try Money(value: "100.00", currency: "KZT"),
                fraudTransaction: FraudTransaction(occurredAt: Timestamp(Date()), reference: "TX-1")))
        let orderFile = directory.appendingPathComponent("order.json").path
        try Data(order).write(to: URL(fileURLWithPath: orderFile))
        let signed = try freezeRelay(["sign", "--key", keyFile, "--kid", "almaty-1", orderFile])
        #expect(signed.status == 0, "\(signed.errors)")
        let signature = signed.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let fromStdin = try freezeRelay(["sign", "--key", keyFile, "--kid", "almaty-1"], input: order)
        #expect(
            fromStdin.output.trimmingCharacters(in: .whitespacesAndNewlines) == signature, "Ed25519 is deterministic")

        let verified = try freezeRelay(["verify", "--config", config, "--signature", signature, orderFile])
        #expect(
            verified.status == 0 && verified.output.contains("verified: issuer \"almaty\", key \"almaty-1\""),
            "\(verified.output)\(verified.errors)")
        let altered = Array(
            String(decoding: order, as: UTF8.self).replacingOccurrences(of: "\"100.00\"", with: "\"900.00\"").utf8)
        #expect(altered != order)
        let tampered = try freezeRelay(["verify", "--config", config, "--signature", signature], input: altered)
        #expect(tampered.status == 1 && tampered.errors.contains("refused: signature_invalid"), "\(tampered.errors)")
        let unsigned = try freezeRelay(["verify", "--config", config, "--unsigned", orderFile])
        #expect(unsigned.status == 1 && unsigned.errors.contains("refused: signature_missing"))

        let issuers = try freezeRelay(["keys", "jwks", "--issuers", "--config", config])
        #expect(issuers.output.contains(#""fr_issuer":"almaty""#) && issuers.output.contains(#""kid":"almaty-1""#))
        let noRelayKey = try freezeRelay(["keys", "jwks", "--config", config])
        #expect(noRelayKey.status == 2 && noRelayKey.errors.contains("relay_key"))
    }

    /// `run` with orders that must be signed and no relay key would send unsigned routed orders:
    /// it refuses to start (exit 2) and says how to make the key. Under `warn` it starts and warns;
    /// with a key (made by `keys generate`) it starts.
    @Test(
        "run refuses to start under require without authenticity.relay_key; under warn it warns; with the key it runs")
    func runNeedsTheRelayKeyWhereOrdersMustBeSigned() async throws {
        let (cluster, _) = try DaemonProcess.quietCluster("relay-key-test")
        defer { cluster.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let police = String(
            decoding: JSONValue.object(SigningKey.generate().publicKey.jwk()).canonicalBytes, as: UTF8.self)
        let relayKey = directory.appendingPathComponent("relay.key").path
        #expect(try freezeRelay(["keys", "generate", "--kid", "relay-2026", "--private-key", relayKey]).status == 0)
        func config(_ name: String, policy: String, relayKeyLine: String = "") throws -> String {
            let authenticity = """
                authenticity:
                  policy: \(policy)
                \(relayKeyLine)  issuers:
                    - { id: almaty, agencies: ["Almaty City Police"], keys: [{ kid: almaty-1, public_key: '\(police)' }] }

                """
            let path = directory.appendingPathComponent("\(name).yaml").path
            try DaemonProcess.config(
                bootstrap: cluster.bootstrapServers, ledger: directory.appendingPathComponent("\(name).sqlite").path,
                banks: [("alpha", "125")], authenticity: authenticity
            )
            .replacingOccurrences(of: "level: warning", with: "level: info")
            .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        /// Starts `run` and waits until it exits or says it runs (then stops it with SIGTERM).
        /// Returns whether it ran, how it exited and its log.
        func run(_ configPath: String) async throws -> (ran: Bool, status: Int32, log: String) {
            let log = directory.appendingPathComponent("\(UUID().uuidString).log")
            let process = try DaemonProcess.launch(configPath, log: log)
            let deadline = ContinuousClock.now + .seconds(60)
            var text = ""
            while process.isRunning, !text.contains("freeze-relay running"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            }
            let ran = process.isRunning
            if ran { kill(process.processIdentifier, SIGTERM) }
            await process.exited()
            return (ran, process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        let refused = try await run(try config("require", policy: "require"))
        #expect(!refused.ran && refused.status == 2, "\(refused.log)")
        #expect(
            refused.log.contains(
                "authenticity.relay_key: required to run while orders must be signed (policy require for issuer \"almaty\")"
            ),
            "\(refused.log)")
        #expect(refused.log.contains("freeze-relay keys generate --kid relay-YYYY --private-key"), "\(refused.log)")

        let warned = try await run(try config("warn", policy: "warn"))
        #expect(warned.ran && warned.status == 0 && warned.log.contains("freeze-relay running"), "\(warned.log)")
        #expect(warned.log.contains("routed requests and cancels go out unsigned"))
        let signing = try await run(
            try config(
                "signing", policy: "require",
                relayKeyLine: "  relay_key: { kid: relay-2026, private_key_file: \"\(relayKey)\" }\n"))
        #expect(signing.ran && signing.status == 0 && signing.log.contains("freeze-relay running"), "\(signing.log)")
        #expect(!signing.log.contains("go out unsigned"))
    }
}
