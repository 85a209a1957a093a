import Authenticity
import Contracts
import Foundation
import Testing

/// schemas/README.md tells police integrators how to sign with Python and with openssl. Both
/// recipes are run here, and what they make is judged by the relay's registry; the Python
/// verifier there checks what the relay's own signer makes.
@Suite("Signing recipes in the schemas README")
struct SigningRecipeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let order = Array(#"{"type":"freeze_request","version":1,"issuer":{"agency":"Almaty City Police","officer_id":"OF-1"},"amount":{"value":"250000.00","currency":"KZT"}}"#.utf8)
    static let issuedAt = try! Timestamp(parsing: "2026-03-02T09:00:00Z")

    /// The ```LANGUAGE blocks of the section `## Signing orders`.
    static func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("schemas/README.md"), encoding: .utf8)
        let start = try #require(text.range(of: "\n## Signing orders\n"), "schemas/README.md has no 'Signing orders' section")
        let rest = text[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        return section.components(separatedBy: "```" + language + "\n").dropFirst().map { String($0.components(separatedBy: "\n```")[0]) }
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable): \(String(decoding: err, as: UTF8.self))")
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func registry(_ key: VerificationKey) throws -> IssuerRegistry {
        try IssuerRegistry(policy: .require, issuers: [.init(id: "almaty", agencies: ["Almaty City Police"], keys: [.init(keyID: "almaty-police-2026", key: key)])])
    }

    @Test("the Python recipe signs orders the relay verifies, and verifies what the relay signs")
    func python() throws {
        let snippet = try #require(try Self.blocks("python").first, "no python block")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let police = SigningKey.generate()
        try police.pem.write(to: directory.appendingPathComponent("police.key"), atomically: true, encoding: .utf8)
        try police.publicKey.pem.write(to: directory.appendingPathComponent("police.pub"), atomically: true, encoding: .utf8)
        try Data(Self.order).write(to: directory.appendingPathComponent("order.json"))
        let relaySigned = try DetachedJWS.sign(Self.order, with: police, keyID: "almaty-police-2026")
        let program = snippet + """

            import sys
            value = open("order.json", "rb").read()
            print(sign_order(value, open("police.key", "rb").read(), "almaty-police-2026"))
            public = open("police.pub", "rb").read()
            print(verify_order(value, sys.argv[1], public), verify_order(value + b" ", sys.argv[1], public))
            """
        let lines = try Self.run("python3", ["-c", program, relaySigned], in: directory).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let pythonSigned = try #require(lines.first)
        #expect(try registry(police.publicKey).judge(signature: Array(pythonSigned.utf8), payload: Self.order, agency: "Almaty City Police", issuedAt: Self.issuedAt)
            == .verified(issuerID: "almaty", keyID: "almaty-police-2026"))
        // Python's verifier accepts the relay's signature and refuses it over altered bytes.
        #expect(lines.last == "True False")
    }

    @Test("the openssl recipe signs orders the relay verifies")
    func openssl() throws {
        let script = try #require(try Self.blocks("sh").first, "no sh block")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let police = SigningKey.generate()
        try police.pem.write(to: directory.appendingPathComponent("police.key"), atomically: true, encoding: .utf8)
        try Data(Self.order).write(to: directory.appendingPathComponent("request.json"))
        let header = try Self.run("bash", ["-c", "set -euo pipefail\n" + script], in: directory, environment: ["KID": "almaty-police-2026"])
        #expect(try registry(police.publicKey).judge(signature: Array(header.utf8), payload: Self.order, agency: "Almaty City Police", issuedAt: Self.issuedAt)
            == .verified(issuerID: "almaty", keyID: "almaty-police-2026"))
    }
}
