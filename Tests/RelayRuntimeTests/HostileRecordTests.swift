import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import Ledger
@testable import RelayRuntime

/// Records built to break the relay's own outputs: oversized headers, recycled envelope ids,
/// keys that only look right.
extension HostileInputTests {
    @Test("a 2,000-character header name and 1,500 headers are dead-lettered with the cuts stated, and intake goes on")
    func oversizedHeaders() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let longName = OutgoingMessage(
            topic: "freeze.requests", partition: 0, key: Array("long-name".utf8), value: Array("not json".utf8),
            headers: [KafkaHeader(name: String(repeating: "n", count: 2000), value: Array("v".utf8))])
        let many = OutgoingMessage(
            topic: "freeze.requests", partition: 0, key: Array("many".utf8), value: Array("{}".utf8),
            headers: (0..<1500).map { KafkaHeader(name: "h\($0)", value: [UInt8($0 % 256)]) })
        try await harness.publish(longName)
        try await harness.publish(many)
        let good = freezeRequest(caseID: "CASE-H1", iban: kzIBAN(bank: alphaCode, account: 81))
        try await harness.publishRequest(good)
        let seen = try await harness.watcher.waitFor("two dead letters and the good request") {
            $0.deadLetters.count >= 2 && !$0.routed(good.requestID).isEmpty
        }
        #expect(daemon.failure == nil)
        #expect(seen.routed(good.requestID).count == 1)
        let named = try #require(seen.deadLetters.first { $0.key == Array("long-name".utf8) })
        #expect(named.reason.code == .invalidJSON)
        let name = try #require(named.headers.first?.name)
        #expect(name.unicodeScalars.count <= DeadLetterLimits.headerNameCharacters)
        #expect(name.hasPrefix("nnnn") && name.contains("[cut: "))
        let counted = try #require(seen.deadLetters.first { $0.key == Array("many".utf8) })
        #expect(counted.reason.code == .schemaViolation)
        #expect(counted.headersTruncated && counted.headersCount == 1500)
        #expect(counted.headers.count == DeadLetterLimits.headers)
        #expect(counted.headers.first?.name == "h0" && counted.headers.first?.value == [0])
    }

    @Test("two refused records carrying the same envelope id get two dead letters with different ids")
    func recycledEnvelopeID() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let envelope = UUID()
        var first = freezeRequest(caseID: "CASE-H2", iban: kzIBAN(bank: alphaCode, account: 82))
        first.id = envelope
        var second = freezeRequest(caseID: "CASE-H3", iban: kzIBAN(bank: alphaCode, account: 83))
        second.id = envelope
        for request in [first, second] {
            var message = record(request, topic: "freeze.requests", key: "not-the-request-id")
            message.partition = 0
            try await harness.publish(message)
        }
        let seen = try await harness.watcher.waitFor("two dead letters") { $0.deadLetters.count >= 2 }
        let letters = seen.deadLetters
        #expect(letters.count == 2)
        #expect(Set(letters.map(\.id)).count == 2, "each refused record has its own dead letter")
        #expect(Set(letters.map(\.source.offset)).count == 2)
        // The sender's id is still named as what caused them.
        let causes = seen.filter { if case .deadLetter = $0.event { true } else { false } }
            .compactMap {
                $0.headers.first { $0.name == "fr-causation-id" }.map {
                    String(decoding: $0.value ?? [], as: UTF8.self)
                }
            }
        #expect(causes == [CanonicalUUID.string(envelope), CanonicalUUID.string(envelope)])
    }

    @Test("a key that spells the request id in upper case is refused: it would land on another partition")
    func upperCaseKey() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let request = freezeRequest(caseID: "CASE-H4", iban: kzIBAN(bank: alphaCode, account: 84))
        let upper = CanonicalUUID.string(request.requestID).uppercased()
        try await harness.publish(record(request, topic: "freeze.requests", key: upper))
        let seen = try await harness.watcher.waitFor("a dead letter") { !$0.deadLetters.isEmpty }
        let letter = try #require(seen.deadLetters.first)
        #expect(letter.reason.code == .keyMismatch)
        #expect(letter.reason.message.contains("\"\(upper)\""))
        #expect(letter.reason.message.contains("expected \"\(CanonicalUUID.string(request.requestID))\""))
        #expect(seen.routed(request.requestID).isEmpty)
        #expect(daemon.failure == nil)
    }

    @Test(
        "the relay failing on a record costs that record its decision, not intake: minimal dead letter, ERROR line, metric"
    )
    func internalErrorIsNotFatal() async throws {
        let lines = LogLines()
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start(logger: lines.logger())
        let taken = try daemon.takeDeadLetterIDOfFirstRequestRecord()

        let iban = kzIBAN(bank: alphaCode, account: 85)
        let victim = freezeRequest(caseID: "CASE-H5", iban: iban)
        var message = record(victim, topic: "freeze.requests", key: "wrong key")
        message.partition = 0
        try await harness.publish(message)
        let good = freezeRequest(caseID: "CASE-H6", iban: kzIBAN(bank: alphaCode, account: 86))
        var goodMessage = record(good, topic: "freeze.requests")
        goodMessage.partition = 0
        try await harness.publish(goodMessage)

        let seen = try await harness.watcher.waitFor("a minimal dead letter and the good request routed") {
            !$0.deadLetters.isEmpty && !$0.routed(good.requestID).isEmpty
        }
        #expect(daemon.failure == nil)
        let letter = try #require(seen.deadLetters.first)
        #expect(seen.deadLetters.count == 1)
        #expect(letter.reason.code == .internalError && letter.contentOmitted)
        #expect(letter.key == nil && letter.value == nil && letter.headers.isEmpty)
        #expect(letter.source == DeadLetter.Source(topic: "freeze.requests", partition: 0, offset: 0))
        #expect(letter.id != taken)
        #expect(letter.reason.message.contains("is already queued with a different"))
        #expect(seen.first { $0.event.id == letter.id }?.key == "freeze.requests/0/0")
        // Counted when the batch lands, which may be just after its events went out.
        try await eventually("the internal error counted") {
            daemon.metricsText().contains(#"freeze_relay_internal_errors_total{topic="freeze.requests"} 1"#)
        }
        try await harness.stop()
        let errors = lines.all.filter { $0.contains("level=error") && $0.contains("internal error") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("source=freeze.requests/0@0") == true)
        #expect(errors.first?.contains(CanonicalUUID.string(taken)) == true)
        #expect(!lines.all.joined().contains(iban.electronicFormat))
    }
}

extension RelayDaemon {
    /// Makes the relay fail on the first record of freeze.requests/0 (an internal error): that
    /// record derives its dead letter's id from its position, and this queues another event
    /// under the same id (as sent, so it is not published), so the relay's decision conflicts.
    /// Returns the id taken.
    func takeDeadLetterIDOfFirstRequestRecord() throws -> UUID {
        let taken = Cause.record(topic: "freeze.requests", partition: 0, offset: 0, eventID: nil).derivedID(
            "dead_letter")
        try ledger.write { tx in
            try tx.apply(
                Effects(),
                outbox: [
                    OutboxMessage(
                        eventID: taken, eventType: "dead_letter", topic: "freeze.deadletter", key: nil,
                        payload: Array("{}".utf8), headers: [])
                ], at: t0)
        }
        try ledger.transaction { db in
            try db.execute("UPDATE outbox SET sent_at = 0 WHERE event_id = ?", [CanonicalUUID.string(taken)])
        }
        return taken
    }
}
