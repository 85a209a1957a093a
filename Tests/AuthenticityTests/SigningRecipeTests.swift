import Authenticity
import Contracts
import Foundation
import TestSupport
import Testing

/// schemas/README.md tells police integrators how to sign with Python and with openssl. Both
/// recipes are run here, and what they make is judged by the relay's registry; the Python
/// verifier there checks what the relay's own signer makes.
@Suite("Signing recipes in the schemas README")
struct SigningRecipeTests {
    static let order = Array(
        #"{"type":"freeze_request","version":1,"issuer":{"agency":"Almaty City Police","officer_id":"OF-1"},"amount":{"value":"250000.00","currency":"KZT"}}"#
            .utf8)
    static let issuedAt = try! Timestamp(parsing: "2026-03-02T09:00:00Z")

    func registry(_ key: VerificationKey) throws -> IssuerRegistry {
        try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(
                    id: "almaty", agencies: ["Almaty City Police"], keys: [.init(keyID: "almaty-police-2026", key: key)]
                )
            ])
    }

    @Test("the Python recipe signs orders the relay verifies, and verifies what the relay signs")
    func python() throws {
        let directory = try SigningRecipe.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let police = SigningKey.generate()
        try police.pem.write(to: directory.appendingPathComponent("police.key"), atomically: true, encoding: .utf8)
        try police.publicKey.pem.write(
            to: directory.appendingPathComponent("police.pub"), atomically: true, encoding: .utf8)
        try Data(Self.order).write(to: directory.appendingPathComponent("order.json"))
        let relaySigned = try DetachedJWS.sign(Self.order, with: police, keyID: "almaty-police-2026")
        let program = try SigningRecipe.python(
            """
            import sys
            value = open("order.json", "rb").read()
            print(sign_order(value, open("police.key", "rb").read(), "almaty-police-2026"))
            public = open("police.pub", "rb").read()
            print(verify_order(value, sys.argv[1], public), verify_order(value + b" ", sys.argv[1], public))
            """)
        let lines = try SigningRecipe.run("python3", ["-c", program, relaySigned], in: directory).split(separator: "\n")
            .map(String.init)
        #expect(lines.count == 2)
        let pythonSigned = try #require(lines.first)
        #expect(
            try registry(police.publicKey).judge(
                signature: Array(pythonSigned.utf8), payload: Self.order, agency: "Almaty City Police",
                issuedAt: Self.issuedAt)
                == .verified(issuerID: "almaty", keyID: "almaty-police-2026"))
        // Python's verifier accepts the relay's signature and refuses it over altered bytes.
        #expect(lines.last == "True False")
    }

    @Test("the openssl recipe signs orders the relay verifies")
    func openssl() throws {
        let script = try #require(try SigningRecipe.blocks("sh").first, "no sh block")
        let directory = try SigningRecipe.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let police = SigningKey.generate()
        try police.pem.write(to: directory.appendingPathComponent("police.key"), atomically: true, encoding: .utf8)
        try Data(Self.order).write(to: directory.appendingPathComponent("request.json"))
        let header = try SigningRecipe.run(
            "bash", ["-c", "set -euo pipefail\n" + script], in: directory, environment: ["KID": "almaty-police-2026"])
        #expect(
            try registry(police.publicKey).judge(
                signature: Array(header.utf8), payload: Self.order, agency: "Almaty City Police",
                issuedAt: Self.issuedAt)
                == .verified(issuerID: "almaty", keyID: "almaty-police-2026"))
    }
}
