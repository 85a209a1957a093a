import Authenticity
import Contracts
import Foundation
import TestSupport
import Testing

@Suite struct KeyTests {
    /// RFC 8037 Appendix A.4: an Ed25519 JWS over "Example of Ed25519 signing".
    @Test func verifiesTheRFC8037Example() throws {
        let key = try VerificationKey(
            parsing: #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        let input = Array("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".utf8)
        let signature = try #require(
            Base64URL.decode("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"))
        #expect(key.isValidSignature(signature, for: input))
        var tampered = input
        tampered[tampered.count - 1] ^= 1
        #expect(!key.isValidSignature(signature, for: tampered))
        // The private half from the RFC signs so that the public half verifies.
        let signer = try SigningKey(
            parsing:
                #"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#
        )
        #expect(signer.publicKey == key)
        #expect(key.isValidSignature(try signer.signature(for: input), for: input))
    }

    @Test(arguments: SignatureAlgorithm.allCases)
    func keysSurviveEveryFormTheyAreWrittenIn(_ algorithm: SignatureAlgorithm) throws {
        let signer = SigningKey.generate(algorithm)
        let fromPEM = try SigningKey(parsing: signer.pem)
        let fromJWK = try SigningKey(
            parsing: String(decoding: JSONValue.object(signer.jwk(keyID: "k")).canonicalBytes, as: UTF8.self))
        #expect(fromPEM.publicKey == signer.publicKey)
        #expect(fromJWK.publicKey == signer.publicKey)
        #expect(try VerificationKey(parsing: signer.publicKey.pem) == signer.publicKey)
        #expect(
            try VerificationKey(
                parsing: String(decoding: JSONValue.object(signer.publicKey.jwk()).canonicalBytes, as: UTF8.self))
                == signer.publicKey)
        let data = Array("order".utf8)
        #expect(signer.publicKey.isValidSignature(try fromPEM.signature(for: data), for: data))
        #expect(!SigningKey.generate(algorithm).publicKey.isValidSignature(try signer.signature(for: data), for: data))
    }

    @Test func privateKeysAreNotTakenAsPublicOnes() {
        let signer = SigningKey.generate()
        #expect(throws: KeyFormatError.self) { try VerificationKey(parsing: signer.pem) }
        #expect(throws: KeyFormatError.self) {
            try VerificationKey(parsing: String(decoding: JSONValue.object(signer.jwk()).canonicalBytes, as: UTF8.self))
        }
    }

    @Test(arguments: [
        "", "hello", "{", "[]", #"{"kty":"RSA","crv":"x","n":"AQAB"}"#, #"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#,
        #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"ES256"}"#,
        #"{"kty":"EC","crv":"P-256","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","y":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
    ])
    func malformedKeysAreRefusedWithAReason(_ text: String) {
        #expect(throws: KeyFormatError.self) { try VerificationKey(parsing: text) }
    }

    /// openssl, an independent implementation, signs; the relay's verifier accepts its signature
    /// and reads its PEM files.
    @Test func verifiesWhatOpenSSLSigns() throws {
        let directory = try SigningRecipe.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem").path
        let publicFile = directory.appendingPathComponent("pub.pem").path
        let dataFile = directory.appendingPathComponent("data").path
        let signatureFile = directory.appendingPathComponent("sig").path
        let data = Array("eyJhbGciOiJFZERTQSIsImtpZCI6Im9wZW5zc2wifQ.c2lnbmVkIGJ5IG9wZW5zc2w".utf8)
        try Data(data).write(to: URL(fileURLWithPath: dataFile))
        _ = try SigningRecipe.run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", keyFile], in: directory)
        _ = try SigningRecipe.run("openssl", ["pkey", "-in", keyFile, "-pubout", "-out", publicFile], in: directory)
        _ = try SigningRecipe.run(
            "openssl", ["pkeyutl", "-sign", "-rawin", "-inkey", keyFile, "-in", dataFile, "-out", signatureFile],
            in: directory)
        let key = try VerificationKey(parsing: String(contentsOfFile: publicFile, encoding: .utf8))
        let signature = [UInt8](try Data(contentsOf: URL(fileURLWithPath: signatureFile)))
        #expect(key.isValidSignature(signature, for: data))
        #expect(try SigningKey(parsing: String(contentsOfFile: keyFile, encoding: .utf8)).publicKey == key)
    }
}
