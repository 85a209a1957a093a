import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import Ledger
@testable import RelayRuntime

@Suite("Faults at start and in the ledger", .serialized)
struct FaultTests {
    @Test("a relay started while the broker is down waits, then works when it comes back")
    func brokerDownAtStart() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.cluster.setBrokerDown(1)
        let daemon = try harness.start()
        #expect(daemon.health(brokerTimeout: .milliseconds(300)).reasons.contains("broker unreachable"))
        try harness.cluster.setBrokerUp(1)
        let request = freezeRequest(caseID: "CASE-F1", iban: kzIBAN(bank: alphaCode, account: 31))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed after the broker came back") { !$0.routed(request.requestID).isEmpty }
        #expect(daemon.failure == nil)
    }

    @Test("a ledger that cannot be written stops intake without committing, and nothing is lost")
    func ledgerFull() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let first = freezeRequest(caseID: "CASE-F2", iban: kzIBAN(bank: alphaCode, account: 32))
        try await harness.publishRequest(first)
        try await harness.watcher.waitFor("first routed") { !$0.routed(first.requestID).isEmpty }

        // "Disk full": cap the writer's file at its current size and use up its free pages, so the
        // file cannot grow. Ten orders of ~1.6 KB each (a 1,000-character legal basis, the most
        // the contract allows) then need more room than the few pages of a one-request ledger
        // have spare, whatever size the other rows take.
        try daemon.ledger.transaction { db in try db.execute("CREATE TABLE fault_filler (bytes BLOB NOT NULL)") }
        try daemon.ledger.transaction { db in
            let pages = try db.scalar("PRAGMA page_count", as: Int.self) ?? 0
            _ = try db.query("PRAGMA max_page_count = \(pages)")
        }
        while (try? daemon.ledger.transaction({ db in
            try db.execute("INSERT INTO fault_filler (bytes) VALUES (zeroblob(4000))")
        })) != nil {}
        let big = (0..<10).map { index in
            var order = freezeRequest(caseID: "CASE-F3", iban: kzIBAN(bank: betaCode, account: 33 + index))
            order.legalBasis = String(repeating: "x", count: 1_000)
            return order
        }
        for order in big { try await harness.publishRequest(order) }
        await #expect(throws: RuntimeFailure.self) { try await harness.stop(waitingForFailure: true) }
        #expect("\(daemon.failure.map { "\($0)" } ?? "")".contains("cannot grow"))
        // The ledger's own error, kept typed: not a string to parse.
        guard case .ledgerUnwritable(let ledgerError)? = daemon.failure else {
            Issue.record("expected the ledger's error, got \(String(describing: daemon.failure))")
            return
        }
        #expect("\(ledgerError)".contains("cannot grow"))

        // Restarted on a ledger with room again, the relay reads the records again: none lost.
        try harness.start()
        try await harness.watcher.waitFor("all routed after restart") { seen in
            big.allSatisfy { !seen.routed($0.requestID).isEmpty }
        }
        try await harness.stop()
        #expect(try harness.count("requests") == 11)
    }
}

@Suite("Hostile bytes in keys and field names", .serialized)
struct HostileInputTests {
    @Test("control characters in a key or a duplicated field name are dead-lettered, and intake goes on")
    func controlCharacters() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let keyed = freezeRequest(caseID: "CASE-K1", iban: kzIBAN(bank: alphaCode, account: 71))
        try await harness.publish(record(keyed, topic: "freeze.requests", key: "\u{01}\u{7F}bad key\n"))
        let duplicated = #"{"type":"freeze_request","\u0002x":1,"\u0002x":2}"#
        try await harness.publish(
            OutgoingMessage(topic: "freeze.requests", key: Array("dup".utf8), value: Array(duplicated.utf8)))
        let good = freezeRequest(caseID: "CASE-K2", iban: kzIBAN(bank: alphaCode, account: 72))
        try await harness.publishRequest(good)
        let seen = try await harness.watcher.waitFor("two dead letters and the good request") {
            $0.deadLetters.count >= 2 && !$0.routed(good.requestID).isEmpty
        }
        #expect(Set(seen.deadLetters.map(\.reason.code)) == [.keyMismatch, .invalidJSON])
        let mismatch = try #require(seen.deadLetters.first { $0.reason.code == .keyMismatch })
        // Quoted on one line: every control character escaped, the line break too.
        #expect(mismatch.reason.message.contains("\"\\u{1}\\u{7f}bad key\\u{a}\""))
        #expect(!mismatch.reason.message.contains("\n"))
        #expect(mismatch.key == Array("\u{01}\u{7F}bad key\n".utf8), "the original bytes are kept as they were")
        #expect(daemon.failure == nil)
    }
}
