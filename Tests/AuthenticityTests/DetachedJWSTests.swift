import Authenticity
import Contracts
import Testing

@Suite struct DetachedJWSTests {
    let payload = Array(#"{"type":"freeze_request","request_id":"x"}"#.utf8)

    @Test(arguments: SignatureAlgorithm.allCases, [true, false])
    func signsAndVerifiesInBothPayloadForms(_ algorithm: SignatureAlgorithm, encodesPayload: Bool) throws {
        let key = SigningKey.generate(algorithm)
        let header = try DetachedJWS.sign(payload, with: key, keyID: "police-1", encodesPayload: encodesPayload)
        #expect(header.contains(".."))
        let jws = try DetachedJWS(parsing: Array(header.utf8))
        #expect(jws.algorithm == algorithm)
        #expect(jws.keyID == "police-1")
        #expect(jws.encodesPayload == encodesPayload)
        #expect(jws.verifies(payload, with: key.publicKey))
        var altered = payload
        altered[3] ^= 0x20
        #expect(!jws.verifies(altered, with: key.publicKey))
        #expect(!jws.verifies(payload, with: SigningKey.generate(algorithm).publicKey))
    }

    @Test func theStandardSigningInputEncodesThePayload() throws {
        let header = try DetachedJWS.sign(payload, with: SigningKey.generate(), keyID: "k")
        let jws = try DetachedJWS(parsing: Array(header.utf8))
        let encodedHeader = header.split(separator: ".", omittingEmptySubsequences: false)[0]
        #expect(jws.signingInput(payload: payload) == Array((encodedHeader + "." + Base64URL.encode(payload)).utf8))
    }

    private static func header(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }
    private static let signature = Base64URL.encode([UInt8](repeating: 1, count: 64))

    @Test(arguments: [
        ("", "three parts"),
        ("abc", "three parts"),
        (header(#"{"alg":"EdDSA","kid":"k"}"#) + ".cGF5bG9hZA." + signature, "must be empty"),
        (header(#"{"alg":"none","kid":"k"}"#) + ".." + signature, "not accepted"),
        (header(#"{"alg":"HS256","kid":"k"}"#) + ".." + signature, "not accepted"),
        (header(#"{"alg":"EdDSA"}"#) + ".." + signature, "kid"),
        (header(#"{"alg":"EdDSA","kid":""}"#) + ".." + signature, "key id"),
        (header(#"{"alg":"EdDSA","kid":"a b"}"#) + ".." + signature, "key id"),
        (header(#"{"alg":"EdDSA","kid":"k","b64":false}"#) + ".." + signature, "crit"),
        (header(#"{"alg":"EdDSA","kid":"k","crit":["exp"],"exp":1}"#) + ".." + signature, "crit"),
        (header(#"{"alg":"EdDSA","kid":"k","crit":[]}"#) + ".." + signature, "crit"),
        (header(#"{"alg":"EdDSA","kid":"k","alg":"ES256"}"#) + ".." + signature, "not valid JSON"),
        (header(#"["EdDSA"]"#) + ".." + signature, "not a JSON object"),
        (header(#"{"alg":"EdDSA","kid":"k"}"#) + ".." + Base64URL.encode([1, 2, 3]), "64 bytes"),
        ("e30=.." + signature, "base64url"),
        (header(#"{"alg":"EdDSA","kid":"k"}"#) + "..+++", "base64url"),
        (String(repeating: "A", count: 5000), "at most"),
    ])
    func malformedSignaturesAreRefusedWithTheirReason(_ compact: String, _ expected: String) {
        do {
            _ = try DetachedJWS(parsing: Array(compact.utf8))
            Issue.record("accepted \(compact.prefix(80))")
        } catch {
            #expect(error.reason.contains(expected), "\(error.reason)")
        }
    }

    /// Hostile header values: any bytes give a JWS or an error, never a crash.
    @Test func anyBytesAreJudged() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array((try! DetachedJWS.sign(payload, with: SigningKey.generate(), keyID: "k")).utf8)
        for round in 0..<3_000 {
            var bytes = valid
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                for _ in 0...Int.random(in: 0...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            }
            _ = try? DetachedJWS(parsing: bytes)
        }
    }
}
