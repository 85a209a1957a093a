import Contracts
import Foundation
import Relay
import RelayKafka
import Testing

@testable import Ledger
@testable import RelayRuntime

@Suite("Dead letters stay within ledger.max_dead_letter_bytes")
struct DeadLetterBudgetTests {
    static let record = KafkaMessage(
        topic: "freeze.requests", partition: 2, offset: 417, key: Array("Aigerim Holder".utf8),
        value: Array("{\"holder\":\"Aigerim Holder\",\"iban\":\"KZ86125KZT5004100100\"".utf8),
        headers: [KafkaHeader(name: "x-name", string: "Aigerim Holder")])

    static func fullDeadLetter(message: String = "not one JSON document") throws -> (DeadLetter, [UInt8]) {
        let outgoing = OutboxEncoding.deadLetter(
            record, refusal: Refusal(code: .invalidJSON, path: "holder", message: message), policy: testPolicy(),
            cause: .record(topic: record.topic, partition: 2, offset: 417, eventID: nil), now: t0)
        guard case .deadLetter(let letter) = outgoing.event else {
            throw HarnessTimeout(what: "a dead letter", seen: [])
        }
        return (letter, try EventEncoder.encode(outgoing.event))
    }

    @Test func theMinimalFormKeepsIdSourceAndReasonAndDropsTheRecordsContent() throws {
        let (full, payload) = try Self.fullDeadLetter()
        let minimal = try #require(MinimalDeadLetterForm.make(payload))
        let letter = try EventDecoder.decode(DeadLetter.self, from: minimal.payload)
        #expect(
            letter.id == full.id && letter.createdAt == full.createdAt && letter.deadLetteredAt == full.deadLetteredAt)
        #expect(letter.source == full.source)
        #expect(letter.reason.code == .invalidJSON && letter.reason.path == "holder")
        #expect(letter.reason.message == "not one JSON document" + MinimalDeadLetterForm.statement)
        #expect(
            letter.contentOmitted && letter.key == nil && letter.value == nil && letter.headers.isEmpty
                && !letter.valueTruncated)
        #expect(minimal.key == Array("freeze.requests/2/417".utf8))
        let text = String(decoding: minimal.payload, as: UTF8.self)
        #expect(!text.contains("Aigerim") && !text.contains("KZ86"))
        #expect(minimal.payload.count < payload.count)
    }

    @Test func aReasonAtTheLengthLimitStillEndsWithTheStatement() throws {
        let (_, payload) = try Self.fullDeadLetter(message: String(repeating: "m", count: ContractLimits.detail))
        let letter = try EventDecoder.decode(
            DeadLetter.self, from: try #require(MinimalDeadLetterForm.make(payload)).payload)
        #expect(letter.reason.message.hasSuffix(MinimalDeadLetterForm.statement))
        #expect(letter.reason.message.unicodeScalars.count <= ContractLimits.detail)
    }

    @Test func whatIsNotADeadLetterHasNoMinimalForm() {
        #expect(MinimalDeadLetterForm.make(Array("{}".utf8)) == nil)
        #expect(MinimalDeadLetterForm.make([0xFF]) == nil)
    }

    @Test(
        "a flood of junk records with a small budget keeps the stored dead-letter bytes within it; the newest keep their content"
    )
    func floodStaysWithinBudget() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let budget: Int64 = 100_000
        let daemon = try harness.start { $0.maxDeadLetterBytes = budget }
        let junk = 80
        // Each refused record carries ~3 KB of "personal data"; its dead letter ~4.7 KB, the minimal form ~0.6 KB.
        for n in 0..<junk {
            let value = Array(
                ("{\"holder\":\"Holder \(n)\",\"iban\":\"KZ86125KZT50041001\(n)\""
                    + String(repeating: " Aigerim Holder", count: 200)).utf8)
            try await harness.publish(
                OutgoingMessage(topic: harness.policy.topics.requests, key: Array("junk-\(n)".utf8), value: value))
        }
        try await eventually("\(junk) dead letters, within budget") {
            let stats = try harness.readLedger { try $0.deadLetterStats() }
            return stats.stored == junk && stats.payloadBytes <= budget
        }
        let stats = try harness.readLedger { try $0.deadLetterStats() }
        #expect(stats.contentDropped > 0 && stats.contentDropped < junk)
        #expect(stats.payloadBytes <= budget)
        // Exact: the running total is what a full scan finds.
        let scanned = try harness.readLedger { reader in
            try reader.read { db in
                try db.scalar(
                    "SELECT sum(length(payload)) FROM outbox WHERE event_type = 'dead_letter'", as: Int64.self)
            }
        }
        #expect(scanned == stats.payloadBytes)
        // Oldest first: every dropped one is older than every kept one.
        let dropped = try harness.readLedger { reader in
            try reader.read { db in
                try db.query(
                    "SELECT content_dropped_at IS NOT NULL AS dropped FROM outbox WHERE event_type = 'dead_letter' ORDER BY seq"
                ) { row in
                    try row["dropped"] as Int
                }
            }
        }
        #expect(
            dropped == Array(repeating: 1, count: stats.contentDropped)
                + Array(repeating: 0, count: junk - stats.contentDropped))

        let samples = try parsePrometheus(daemon.metricsText())
        #expect(samples.value("freeze_relay_dead_letter_bytes") == Double(stats.payloadBytes))
        #expect(samples.value("freeze_relay_dead_letter_payloads_trimmed_total") == Double(stats.contentDropped))
        #expect(samples.value("freeze_relay_dead_letters_stored") == Double(junk))

        // Every dead letter is published, the dropped ones (if still unsent when dropped) in their minimal form.
        let seen = try await harness.watcher.waitFor("\(junk) dead letters published") { $0.deadLetters.count >= junk }
        #expect(Set(seen.deadLetters.map { "\($0.source.partition)/\($0.source.offset)" }).count == junk)
        #expect(
            seen.deadLetters.allSatisfy {
                $0.value != nil || ($0.contentOmitted && $0.reason.message.hasSuffix(MinimalDeadLetterForm.statement))
            })
    }
}
