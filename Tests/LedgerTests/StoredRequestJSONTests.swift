import Contracts
import Foundation
import Relay
import RelayTestSupport
import TestSupport
import Testing

@testable import Ledger

/// The stored form of a request's JSON: phrases replaced by single bytes, read back exactly, and
/// every stored value, however broken, either read or refused with a reason.
@Suite struct StoredRequestJSONTests {
    /// Requests that use every optional field, a chain position, text that needs escaping,
    /// non-ASCII names and text that looks like the phrases.
    static var requests: [FreezeRequest] {
        var full = Fixture.request(
            1, caseID: "C-Ж-1", iban: Fixture.iban("601", "1"), amount: "1250000.55", priority: .normal,
            at: Fixture.time(0, ms: 7))
        full.account.holderName = "Айгерим \"Ая\" Нұрланқызы"
        full.issuer.unit = "Cyber \\ fraud, unit \"7\""
        full.legalBasis = #"Decision 42/2024: ","iban":" and "},"hop": are text here"#
        full.fraudTransaction.description = "line one\nline two\ttab"
        full.chain = ChainPosition(parentRequestID: Fixture.uuid(9), hop: 3)
        var minimal = Fixture.request(
            2, caseID: "C-2", iban: Fixture.iban("722", "2"), amount: "1", at: Fixture.time(60))
        minimal.requestedHoldHours = nil
        return [full, minimal]
    }

    @Test func requestsReadBackExactlyAndTakeUnderHalfTheBytes() throws {
        for request in Self.requests {
            let json = try EventEncoder.encode(request)
            let stored = StoredRequestJSON.pack(json)
            #expect(stored.first == StoredRequestJSON.phraseForm)
            #expect(try StoredRequestJSON.unpack(stored) == json)
            #expect(try EventDecoder.decode(FreezeRequest.self, from: StoredRequestJSON.unpack(stored)) == request)
            #expect(stored.count * 2 < json.count + 200, "\(json.count) -> \(stored.count) bytes")
        }
        let plain = try EventEncoder.encode(Self.requests[1])
        #expect(StoredRequestJSON.pack(plain).count * 2 < plain.count, "the minimal request halves")
    }

    @Test func storedJSONOfOlderRowsIsReadAsItIs() throws {
        let json = try EventEncoder.encode(Self.requests[0])
        #expect(try StoredRequestJSON.unpack(json) == json)
    }

    /// Any bytes without a control byte round-trip, whether they look like JSON or not; with one,
    /// `pack` keeps the bytes as they are (JSON never holds one, so this is a safety net only).
    @Test func arbitraryTextRoundTripsAndControlBytesAreKeptAsTheyAre() throws {
        var random = SplitMix64(state: 0x5EED_0017)
        let alphabet =
            Array(#"{}[]":,\ abcdeiklnoprstuvy_0123456789ЖҰ"#.utf8)
            + StoredRequestJSON.phrases.flatMap { $0 }
        for _ in 0..<2_000 {
            var text: [UInt8] = [UInt8(ascii: "{")]
            for _ in 0..<Int.random(in: 0..<300, using: &random) {
                text.append(alphabet.randomElement(using: &random)!)
            }
            #expect(try StoredRequestJSON.unpack(StoredRequestJSON.pack(text)) == text)
            var withControl = text
            withControl.insert(
                UInt8.random(in: 0..<0x20, using: &random), at: Int.random(in: 1...text.count, using: &random))
            #expect(StoredRequestJSON.pack(withControl) == withControl)
        }
    }

    /// Whatever a damaged or hostile ledger holds, reading it ends in JSON or a reason, never a trap.
    @Test func brokenStoredValuesAreRefusedWithAReason() throws {
        for (stored, reason) in [
            ([], "empty value"),
            ([0x00], "unknown stored form (first byte 0)"),
            ([0x20, 0x7B], "unknown stored form (first byte 32)"),
            ([StoredRequestJSON.phraseForm, 0x01, 0x00], "unknown phrase byte 0"),
            ([StoredRequestJSON.phraseForm, 0x1C], "unknown phrase byte 28"),
            ([StoredRequestJSON.phraseForm, 0x41, StoredRequestJSON.phraseForm], "unknown phrase byte 31"),
        ] as [([UInt8], String)] {
            #expect(throws: StoredRequestJSON.Unreadable.self) { try StoredRequestJSON.unpack(stored) }
            do { _ = try StoredRequestJSON.unpack(stored) } catch { #expect(error.description == reason) }
        }
        var random = SplitMix64(state: 0xBAD_5EED)
        for _ in 0..<5_000 {
            let bytes = random.bytes(Int.random(in: 0..<64, using: &random))
            _ = try? StoredRequestJSON.unpack(bytes)
        }
    }

    /// Version 15 rewrites nothing: a version-14 ledger's rows keep their JSON and read as before,
    /// new rows take the phrase form, and a version-14 binary refuses the upgraded file.
    @Test func aVersion14LedgerUpgradesWithoutRewritingAndOlderBinariesRefuseIt() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("ledger.sqlite")
            let version14 = Array(LedgerSchema.migrations.prefix { $0.version <= 14 })
            let configuration = LedgerConfiguration(durability: .normal)
            let old = Self.requests[1]
            do {
                let ledger = try Ledger.open(at: path, configuration: configuration, migrations: version14)
                defer { ledger.close() }
                try LedgerRelayDriver(ledger: ledger).receive(old)
            }
            let ledger = try Ledger.open(at: path, configuration: configuration)
            let new = Self.requests[0]
            try LedgerRelayDriver(ledger: ledger).receive(new)
            let forms: [String: String] = try ledger.sql { db in
                var forms: [String: String] = [:]
                for row in try db.query("SELECT case_id, hex(substr(request_json, 1, 1)) AS first FROM requests") {
                    forms[try row["case_id"]] = try row["first"]
                }
                return forms
            }
            #expect(forms == [old.caseID: "7B", new.caseID: "1F"])
            #expect(try ledger.caseDetail(old.caseID)?.requests.map(\.request) == [old])
            #expect(try ledger.caseDetail(new.caseID)?.requests.map(\.request) == [new])
            let form: String? = try ledger.sql { db in
                try db.scalar("SELECT value FROM ledger_meta WHERE key = 'request_json_form'")
            }
            #expect(form == "phrases-1")
            ledger.close()
            #expect {
                try Ledger.open(at: path, configuration: configuration, migrations: version14).close()
            } throws: { error in
                guard case LedgerError.schemaTooNew(_, 15, 14) = error else { return false }
                return true
            }
        }
    }

    /// The phrase list is part of the file format: rows written with it must stay readable.
    @Test func thePhraseListNeverChanges() {
        let phrases = StoredRequestJSON.phrases
        #expect(phrases.count <= 30, "bytes 1...30 are phrases; 31 marks the form")
        #expect(phrases.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= 0x20 } })
        let digest = SHA256Hasher.hash(Array(phrases.prefix(27).joined(separator: [0x00])))
        #expect(
            digest.map { String(format: "%02x", $0) }.joined()
                == "3b19f7204b51a0c12f8f2e37bc169dc662ccced3b39b3f9ff60d75f436ea4ec0",
            "the first 27 phrases changed: rows stored with them would read back wrong")
    }
}

extension SplitMix64 {
    fileprivate mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
