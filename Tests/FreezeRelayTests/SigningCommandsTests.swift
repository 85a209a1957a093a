import Authenticity
import Contracts
import Foundation
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
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        (process.standardOutput, process.standardError, process.standardInput) = (output, errors, stdin)
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
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
        #expect(try freezeRelay(["keys", "generate", "--kid", "almaty-1", "--private-key", keyFile]).status == 2, "never overwrites a key")
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

        let order = try EventEncoder.encode(FreezeRequest(
            id: UUID(), createdAt: Timestamp(Date()), requestID: UUID(), caseID: "CASE-1", issuedAt: Timestamp(Date()), priority: .urgent,
            issuer: Issuer(agency: "Almaty City Police", officerID: "OF-1"), legalBasis: "Decision 1",
            account: TargetAccount(iban: try IBAN(countryCode: "KZ", bban: "1250000000000042")), amount: try Money(value: "100.00", currency: "KZT"),
            fraudTransaction: FraudTransaction(occurredAt: Timestamp(Date()), reference: "TX-1")))
        let orderFile = directory.appendingPathComponent("order.json").path
        try Data(order).write(to: URL(fileURLWithPath: orderFile))
        let signed = try freezeRelay(["sign", "--key", keyFile, "--kid", "almaty-1", orderFile])
        #expect(signed.status == 0, "\(signed.errors)")
        let signature = signed.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let fromStdin = try freezeRelay(["sign", "--key", keyFile, "--kid", "almaty-1"], input: order)
        #expect(fromStdin.output.trimmingCharacters(in: .whitespacesAndNewlines) == signature, "Ed25519 is deterministic")

        let verified = try freezeRelay(["verify", "--config", config, "--signature", signature, orderFile])
        #expect(verified.status == 0 && verified.output.contains("verified: issuer \"almaty\", key \"almaty-1\""), "\(verified.output)\(verified.errors)")
        let altered = Array(String(decoding: order, as: UTF8.self).replacingOccurrences(of: "\"100.00\"", with: "\"900.00\"").utf8)
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
}
