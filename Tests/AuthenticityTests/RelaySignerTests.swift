import Authenticity
import Contracts
import Testing

@Suite struct RelaySignerTests {
    @Test func signsDeterministicallySoThatAResentEventCarriesTheSameBytes() throws {
        let signer = try RelaySigner(keyID: "relay-1", key: SigningKey.generate())
        let payload = Array(#"{"type":"routed_request"}"#.utf8)
        let first = signer.signature(for: payload)
        #expect(first == signer.signature(for: payload))
        let jws = try DetachedJWS(parsing: Array(first.utf8))
        #expect(jws.keyID == "relay-1" && jws.verifies(payload, with: signer.publicKey))
    }

    @Test func onlyEd25519AndDistinctKeyIDs() throws {
        #expect(throws: KeyFormatError.self) { try RelaySigner(keyID: "relay-1", key: SigningKey.generate(.es256)) }
        let old = SigningKey.generate().publicKey
        #expect(throws: KeyFormatError.self) {
            try RelaySigner(keyID: "relay-1", key: SigningKey.generate(), previous: [("relay-1", old)])
        }
    }

    @Test func theKeySetListsTheActiveAndThePreviousKeys() throws {
        let old = SigningKey.generate().publicKey
        let signer = try RelaySigner(keyID: "relay-2027", key: SigningKey.generate(), previous: [("relay-2026", old)])
        guard case .object(let set) = signer.jwks, case .array(let keys)? = set["keys"] else {
            Issue.record("not a key set: \(signer.jwks)")
            return
        }
        let parsed = try keys.map { key -> (String?, VerificationKey) in
            guard case .object(let members) = key else { throw KeyFormatError("not an object") }
            let kid: String? = if case .string(let text)? = members["kid"] { text } else { nil }
            return (kid, try VerificationKey(parsing: String(decoding: key.canonicalBytes, as: UTF8.self)))
        }
        #expect(parsed.map(\.0) == ["relay-2027", "relay-2026"])
        #expect(parsed.map(\.1) == [signer.publicKey, old])
    }

    @Test func aPrivateKeyNeverShowsInText() throws {
        let key = SigningKey.generate()
        guard case .string(let secret)? = key.jwk()["d"] else {
            Issue.record("no d")
            return
        }
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(describing: key), String(reflecting: key), dumped] {
            #expect(!text.contains(secret))
            #expect(text.contains("[redacted]"))
        }
    }
}
