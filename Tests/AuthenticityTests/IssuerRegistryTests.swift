import Authenticity
import Contracts
import Testing

@Suite struct IssuerRegistryTests {
    let north = SigningKey.generate()
    let south = SigningKey.generate(.es256)
    let payload = Array(#"{"type":"freeze_request","issuer":{"agency":"North Police"}}"#.utf8)
    let issued = try! Timestamp(parsing: "2026-06-01T10:00:00Z")

    func registry(policy: SignaturePolicy = .require, northPolicy: SignaturePolicy? = nil) throws -> IssuerRegistry {
        try IssuerRegistry(
            policy: policy,
            issuers: [
                .init(
                    id: "north", agencies: ["North Police", "North Cyber Unit"], policy: northPolicy,
                    keys: [
                        .init(
                            keyID: "north-2026", key: north.publicKey,
                            notBefore: try Timestamp(parsing: "2026-01-01T00:00:00Z"),
                            notAfter: try Timestamp(parsing: "2026-12-31T23:59:59Z"))
                    ]),
                .init(id: "south", agencies: ["South Police"], keys: [.init(keyID: "south-1", key: south.publicKey)]),
            ])
    }

    func signed(_ payload: [UInt8], _ key: SigningKey, _ keyID: String) throws -> [UInt8] {
        Array(try DetachedJWS.sign(payload, with: key, keyID: keyID).utf8)
    }

    @Test func aRegisteredKeyOfTheAgencysIssuerIsVerified() throws {
        let verdict = try registry().judge(
            signature: signed(payload, north, "north-2026"), payload: payload, agency: "North Police", issuedAt: issued)
        #expect(verdict == .verified(issuerID: "north", keyID: "north-2026"))
        let es256 = try registry().judge(
            signature: signed(payload, south, "south-1"), payload: payload, agency: "South Police", issuedAt: issued)
        #expect(es256 == .verified(issuerID: "south", keyID: "south-1"))
    }

    private func failure(_ verdict: AuthenticityVerdict) -> AuthenticityFailure? {
        if case .refused(let problem) = verdict { return problem.failure }
        return nil
    }

    @Test func everyWayOfFailingHasItsReason() throws {
        let registry = try registry()
        let good = try signed(payload, north, "north-2026")
        var tampered = payload
        tampered[tampered.count - 3] ^= 1
        let otherPayload = Array(#"{"type":"freeze_request","request_id":"another"}"#.utf8)
        let cases: [(String, AuthenticityVerdict, AuthenticityFailure)] = [
            (
                "unsigned", registry.judge(signature: nil, payload: payload, agency: "North Police", issuedAt: issued),
                .signatureMissing
            ),
            (
                "tampered byte",
                registry.judge(signature: good, payload: tampered, agency: "North Police", issuedAt: issued),
                .signatureInvalid
            ),
            (
                "replayed onto another order",
                registry.judge(signature: good, payload: otherPayload, agency: "North Police", issuedAt: issued),
                .signatureInvalid
            ),
            (
                "wrong key under a registered id",
                registry.judge(
                    signature: try signed(payload, SigningKey.generate(), "north-2026"), payload: payload,
                    agency: "North Police", issuedAt: issued), .signatureInvalid
            ),
            (
                "algorithm not the key's",
                registry.judge(
                    signature: try signed(payload, SigningKey.generate(.es256), "north-2026"), payload: payload,
                    agency: "North Police", issuedAt: issued), .signatureInvalid
            ),
            (
                "garbage",
                registry.judge(
                    signature: Array("not a jws".utf8), payload: payload, agency: "North Police", issuedAt: issued),
                .signatureInvalid
            ),
            (
                "unknown kid",
                registry.judge(
                    signature: try signed(payload, north, "north-2027"), payload: payload, agency: "North Police",
                    issuedAt: issued), .unknownKey
            ),
            (
                "issued after expiry",
                registry.judge(
                    signature: good, payload: payload, agency: "North Police",
                    issuedAt: try Timestamp(parsing: "2027-01-01T00:00:00Z")), .keyExpired
            ),
            (
                "issued before validity",
                registry.judge(
                    signature: good, payload: payload, agency: "North Police",
                    issuedAt: try Timestamp(parsing: "2025-12-31T23:59:59Z")), .keyExpired
            ),
            (
                "another issuer's agency",
                registry.judge(
                    signature: try signed(payload, south, "south-1"), payload: payload, agency: "North Police",
                    issuedAt: issued), .issuerNotAllowed
            ),
            (
                "invented agency", registry.judge(signature: good, payload: payload, agency: "Fake", issuedAt: issued),
                .issuerNotAllowed
            ),
            (
                "invented agency, unsigned",
                registry.judge(signature: nil, payload: payload, agency: "Fake", issuedAt: issued), .signatureMissing
            ),
        ]
        for (name, verdict, expected) in cases {
            #expect(failure(verdict) == expected, "\(name): \(verdict)")
        }
    }

    @Test func theAgencysIssuerSetsThePolicy() throws {
        let warnNorth = try registry(policy: .require, northPolicy: .warn)
        guard
            case .flagged(let problem) = warnNorth.judge(
                signature: nil, payload: payload, agency: "North Police", issuedAt: issued)
        else {
            Issue.record("north's warn policy should flag, not refuse")
            return
        }
        #expect(problem.failure == .signatureMissing)
        #expect(
            failure(warnNorth.judge(signature: nil, payload: payload, agency: "South Police", issuedAt: issued))
                == .signatureMissing)
        #expect(
            failure(warnNorth.judge(signature: nil, payload: payload, agency: "Fake", issuedAt: issued))
                == .signatureMissing)
        let offNorth = try registry(policy: .require, northPolicy: .off)
        #expect(
            offNorth.judge(signature: Array("junk".utf8), payload: payload, agency: "North Police", issuedAt: issued)
                == .unchecked)
        let offEverywhere = try registry(policy: .off)
        #expect(offEverywhere.judge(signature: nil, payload: payload, agency: "Fake", issuedAt: issued) == .unchecked)
        // A valid signature is still reported as verified under warn.
        #expect(
            warnNorth.judge(
                signature: try signed(payload, north, "north-2026"), payload: payload, agency: "North Police",
                issuedAt: issued)
                == .verified(issuerID: "north", keyID: "north-2026"))
    }

    @Test func aRegistryThatCannotSayWhoSignedIsRefused() throws {
        let key = north.publicKey
        #expect(throws: RegistryError.self) {
            try IssuerRegistry(
                policy: .require,
                issuers: [
                    .init(id: "a", agencies: ["A"], keys: [.init(keyID: "k", key: key)]),
                    .init(id: "b", agencies: ["B"], keys: [.init(keyID: "k", key: key)]),
                ])
        }
        #expect(throws: RegistryError.self) {
            try IssuerRegistry(
                policy: .require,
                issuers: [.init(id: "a", agencies: ["A"], keys: []), .init(id: "b", agencies: ["A"], keys: [])])
        }
        #expect(throws: RegistryError.self) {
            try IssuerRegistry(
                policy: .require,
                issuers: [.init(id: "a", agencies: ["A"], keys: []), .init(id: "a", agencies: ["B"], keys: [])])
        }
        #expect(throws: RegistryError.self) {
            try IssuerRegistry(
                policy: .require,
                issuers: [
                    .init(
                        id: "a", agencies: ["A"],
                        keys: [
                            .init(
                                keyID: "k", key: key, notBefore: try Timestamp(parsing: "2026-02-01T00:00:00Z"),
                                notAfter: try Timestamp(parsing: "2026-01-01T00:00:00Z"))
                        ])
                ])
        }
    }

    @Test func anOrderReadLongAfterItWasIssuedOrFromTheFutureHasExpired() throws {
        let registry = try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(id: "north", agencies: ["North Police"], keys: [.init(keyID: "north-2026", key: north.publicKey)])
            ], maxOrderAge: .seconds(86_400))
        let signature = try signed(payload, north, "north-2026")
        func verdict(readAfter seconds: Int64) -> AuthenticityVerdict {
            registry.judge(
                signature: signature, payload: payload, agency: "North Police", issuedAt: issued,
                now: issued.adding(seconds: seconds))
        }
        #expect(verdict(readAfter: 86_400) == .verified(issuerID: "north", keyID: "north-2026"))
        #expect(failure(verdict(readAfter: 86_401)) == .orderExpired)
        #expect(verdict(readAfter: -300) == .verified(issuerID: "north", keyID: "north-2026"))
        #expect(failure(verdict(readAfter: -301)) == .orderExpired)
        // Without a reading time (tools judging a file) the age is not checked.
        #expect(
            registry.judge(signature: signature, payload: payload, agency: "North Police", issuedAt: issued)
                == .verified(issuerID: "north", keyID: "north-2026"))
        // A forgery is reported as what it is, not as old.
        #expect(
            failure(
                registry.judge(
                    signature: nil, payload: payload, agency: "North Police", issuedAt: issued,
                    now: issued.adding(seconds: 999_999))) == .signatureMissing)
        #expect(throws: RegistryError.self) { try IssuerRegistry(policy: .require, issuers: [], maxOrderAge: .zero) }
    }
}
