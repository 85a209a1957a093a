import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// Dead letters in the ledger: an exact running size, content dropped oldest first to fit a
/// budget, and retention by `purge`.
@Suite struct DeadLetterStoreTests {
    /// A real dead letter of about `valueBytes` × 4/3 bytes, created `n` seconds after the epoch.
    static func deadLetter(_ n: Int, code: DeadLetterCode = .invalidJSON, valueBytes: Int = 3000) throws
        -> OutboxMessage
    {
        let letter = DeadLetter(
            id: Fixture.uuid(50_000 + n), createdAt: Fixture.time(Int64(n)),
            source: .init(topic: "freeze.requests", partition: 0, offset: Int64(n)), key: Array("key-\(n)".utf8),
            value: Array(repeating: UInt8(ascii: "x"), count: valueBytes), headers: [.init(name: "h", value: [1, 2])],
            reason: .init(code: code, path: nil, message: "refused"), deadLetteredAt: Fixture.time(Int64(n)))
        return OutboxMessage(
            eventID: letter.id, eventType: "dead_letter", topic: "freeze.deadletter", key: letter.key,
            payload: try EventEncoder.encode(letter), headers: [])
    }

    static func other(_ n: Int) -> OutboxMessage {
        OutboxMessage(
            eventID: Fixture.uuid(60_000 + n), eventType: "request_status", topic: "freeze.status",
            key: Array("C-1".utf8),
            payload: Array(repeating: UInt8(ascii: "s"), count: 500 + n), headers: [])
    }

    static func queue(_ messages: [OutboxMessage], on ledger: Ledger, at seconds: Int64) throws {
        try ledger.write { tx in try tx.apply(Effects(), outbox: messages, at: Fixture.time(seconds)) }
    }

    /// A stand-in for the runtime's minimal form: small, and recognisable.
    static func minimal(_ payload: [UInt8]) -> MinimalDeadLetter? {
        MinimalDeadLetter(payload: Array("{\"minimal_of\":\(payload.count)}".utf8), key: nil)
    }

    /// What a full scan of the outbox says, to hold the running figures against.
    static func scanned(_ ledger: Ledger) throws -> DeadLetterStats {
        try ledger.sql { db in
            let row = try #require(
                try db.queryFirst(
                    """
                    SELECT count(*) AS n, coalesce(sum(length(payload)), 0) AS bytes, count(content_dropped_at) AS dropped
                    FROM outbox WHERE event_type = 'dead_letter'
                    """))
            return DeadLetterStats(
                stored: try row["n"], payloadBytes: try row["bytes"], contentDropped: try row["dropped"])
        }
    }

    @Test func theRunningTotalIsExactAfterInsertTrimSendPurgeAndDelete() async throws {
        try await withRelayLedger { ledger, _ in
            #expect(try ledger.deadLetterStats() == DeadLetterStats(stored: 0, payloadBytes: 0, contentDropped: 0))
            let letters = try (1...6).map {
                try Self.deadLetter($0, code: $0 % 2 == 0 ? .tooLarge : .invalidJSON, valueBytes: 1000 * $0)
            }
            try Self.queue(Array(letters[0..<3]) + [Self.other(1), Self.other(2)], on: ledger, at: 100)
            // A repeated dead letter is ignored by the outbox, and so by the total.
            try Self.queue(Array(letters[3...]) + [letters[0], Self.other(3)], on: ledger, at: 200_000)
            var expected = try Self.scanned(ledger)
            #expect(expected.stored == 6 && expected.payloadBytes == Int64(letters.reduce(0) { $0 + $1.payload.count }))
            #expect(try ledger.deadLetterStats() == expected)

            // Exactly the oldest one's content has to go.
            let freed = Int64(letters[0].payload.count - Self.minimal(letters[0].payload)!.payload.count)
            let trim = try ledger.dropDeadLetterContent(
                toFit: expected.payloadBytes - freed, at: Fixture.time(300), minimalForm: Self.minimal)
            expected = try Self.scanned(ledger)
            #expect(trim.dropped == 1 && trim.bytesAfter == expected.payloadBytes && expected.contentDropped == 1)
            #expect(try ledger.deadLetterStats() == expected)

            // Sending touches no watched column; the total does not move.
            let pending = try ledger.pendingOutbox(limit: 100)
            try ledger.markSent(pending.map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(400))
            #expect(try ledger.deadLetterStats() == expected)

            let purged = try ledger.purge(
                closedBefore: Fixture.time(1), deadLettersBefore: Fixture.time(1000), note: "retention",
                at: Fixture.time(500_000))
            // The stand-in minimal form carries no reason code; it is counted, not lost.
            #expect(purged.deadLetters == ["invalid_json": 1, "too_large": 1, "unreadable": 1])
            expected = try Self.scanned(ledger)
            #expect(expected.stored == 3 && expected.contentDropped == 0)
            #expect(try ledger.deadLetterStats() == expected)

            try ledger.sql { db in
                try db.execute("DELETE FROM outbox WHERE event_id = ?", [Stored.text(letters[5].eventID)])
            }
            #expect(try ledger.deadLetterStats() == Self.scanned(ledger))
            #expect(try ledger.reader.deadLetterStats() == Self.scanned(ledger))
        }
    }

    @Test func theOldestContentGoesFirstUntilTheBudgetHoldsAndRowsIdsAndCountsStay() async throws {
        try await withRelayLedger { ledger, _ in
            let letters = try (1...10).map { try Self.deadLetter($0, valueBytes: 6000) }
            try Self.queue(Array(letters[0..<5]), on: ledger, at: 10)
            try Self.queue(Array(letters[5...]), on: ledger, at: 20)
            let before = try ledger.deadLetterStats()
            // Room for the seven newest in full and three minimal forms: exactly three must go.
            let budget = Int64(
                letters.dropFirst(3).reduce(0) { $0 + $1.payload.count }
                    + letters.prefix(3).reduce(0) { $0 + Self.minimal($1.payload)!.payload.count })
            // The first five were published; the rest still wait.
            let firstFive = try ledger.pendingOutbox(limit: 5)
            try ledger.markSent(firstFive.map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(15))

            let trim = try ledger.dropDeadLetterContent(toFit: budget, at: Fixture.time(30), minimalForm: Self.minimal)
            #expect(
                trim == DeadLetterTrim(dropped: 3, unreadable: 0, bytesBefore: before.payloadBytes, bytesAfter: budget))
            let rows = try ledger.sql { db in
                try db.query("SELECT event_id, payload, message_key, content_dropped_at FROM outbox ORDER BY seq") {
                    row in
                    (
                        id: try row.string("event_id"), payload: [UInt8](try row["payload"] as Data),
                        key: try row["message_key"] as Data?,
                        dropped: try row["content_dropped_at"] as Int64?
                    )
                }
            }
            #expect(rows.map(\.id) == letters.map { Stored.text($0.eventID) })
            #expect(rows.map { $0.dropped != nil } == [true, true, true] + Array(repeating: false, count: 7))
            #expect(rows.prefix(3).allSatisfy { $0.key == nil && $0.dropped == Stored.millis(Fixture.time(30)) })
            #expect(
                zip(rows.dropFirst(3), letters.dropFirst(3)).allSatisfy {
                    $0.payload == $1.payload && $0.key == $1.key.map { Data($0) }
                })
            #expect(
                try ledger.deadLetterStats() == DeadLetterStats(stored: 10, payloadBytes: budget, contentDropped: 3))

            // Within budget: nothing is read or changed.
            let again = try ledger.dropDeadLetterContent(toFit: budget, at: Fixture.time(40)) { _ in
                Issue.record("no minimal form is needed within budget")
                return nil
            }
            #expect(again.dropped == 0 && again.bytesAfter == budget)

            // One byte less: the next oldest goes. The two next ones cannot be read (left as they
            // are), so it is the sixth, which still waits, and is then published minimal.
            let unreadable = try ledger.dropDeadLetterContent(toFit: budget - 1, at: Fixture.time(50)) { payload in
                payload == letters[3].payload || payload == letters[4].payload ? nil : Self.minimal(payload)
            }
            #expect(unreadable.dropped == 1 && unreadable.unreadable == 2)
            let waiting = try ledger.pendingOutbox(limit: 100)
            #expect(waiting.map(\.message.eventID) == letters[5...].map(\.eventID))
            #expect(waiting.first.map { $0.message.payload == Self.minimal(letters[5].payload)?.payload } == true)
            // Not yet published: it keeps its Kafka key (the partition it goes to does not change).
            #expect(waiting.first?.message.key == letters[5].key)
        }
    }

    @Test func publishedDeadLettersLoseTheirContentBeforeOlderOnesNotYetPublished() async throws {
        try await withRelayLedger { ledger, _ in
            let letters = try (1...6).map { try Self.deadLetter($0, valueBytes: 6000) }
            try Self.queue(letters, on: ledger, at: 10)
            // Only the last three were published (the first three wait, say, for a topic's ACL).
            let pending = try ledger.pendingOutbox(limit: 6)
            try ledger.markSent(pending.suffix(3).map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(15))
            let before = try ledger.deadLetterStats().payloadBytes
            let freeTwo = Int64(
                letters[3...4].reduce(0) { $0 + $1.payload.count - Self.minimal($1.payload)!.payload.count })
            let trim = try ledger.dropDeadLetterContent(
                toFit: before - freeTwo, at: Fixture.time(30), minimalForm: Self.minimal)
            #expect(trim.dropped == 2)
            let dropped = try ledger.sql { db in
                try db.query("SELECT event_id FROM outbox WHERE content_dropped_at IS NOT NULL ORDER BY seq") { row in
                    try row.string("event_id")
                }
            }
            #expect(dropped == letters[3...4].map { Stored.text($0.eventID) })
            #expect(try ledger.pendingOutbox(limit: 6).map(\.message.payload) == letters[0...2].map(\.payload))
        }
    }

    @Test func aBudgetBelowTheMinimalFormsDropsEveryContentAndStops() async throws {
        try await withRelayLedger { ledger, _ in
            let letters = try (1...4).map { try Self.deadLetter($0) }
            try Self.queue(letters, on: ledger, at: 10)
            let trim = try ledger.dropDeadLetterContent(toFit: 10, at: Fixture.time(20), minimalForm: Self.minimal)
            #expect(trim.dropped == 4)
            #expect(
                try ledger.deadLetterStats()
                    == DeadLetterStats(stored: 4, payloadBytes: trim.bytesAfter, contentDropped: 4))
            #expect(trim.bytesAfter == 4 * Int64(Self.minimal(letters[0].payload)!.payload.count))
        }
    }

    @Test func migratingALedgerThatAlreadyHoldsDeadLettersCountsThem() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("old.sqlite")
            let old = try Ledger.open(at: path, migrations: Array(LedgerSchema.migrations.prefix(4)))
            try Self.queue(
                [try Self.deadLetter(1), Self.other(1), try Self.deadLetter(2, valueBytes: 9000)], on: old, at: 10)
            old.close()
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            let stats = try ledger.deadLetterStats()
            let bytes = try Self.deadLetter(1).payload.count + Self.deadLetter(2, valueBytes: 9000).payload.count
            #expect(stats.stored == 2 && stats.payloadBytes == Int64(bytes))
            #expect(stats == (try Self.scanned(ledger)))
        }
    }

    static func deadLetterIDs(_ ledger: Ledger) throws -> [String] {
        try ledger.sql { db in
            try db.query("SELECT event_id FROM outbox WHERE event_type = 'dead_letter' ORDER BY seq") { row in
                try row.string("event_id")
            }
        }
    }

    static func auditDetail(_ ledger: Ledger, _ sequence: Int64) throws -> String? {
        try ledger.sql { db in try db.scalar("SELECT detail FROM audit WHERE seq = ?", [sequence], as: String.self) }
    }

    @Test func purgeRemovesOnlySentDeadLettersPastTheirRetentionAndRecordsThemPerReason() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue(
                [
                    try Self.deadLetter(1), try Self.deadLetter(2, code: .keyMismatch), try Self.deadLetter(3),
                    Self.other(1),
                ], on: ledger, at: 100)
            try Self.queue([try Self.deadLetter(4)], on: ledger, at: 100)  // old, never sent
            try Self.queue([try Self.deadLetter(5)], on: ledger, at: 5000)  // sent, recent
            let unsentID = Fixture.uuid(50_004)
            let sent = try ledger.pendingOutbox(limit: 100).filter { $0.message.eventID != unsentID }
            try ledger.markSent(sent.map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(6000))

            // The reader's count for the dry run agrees with what the purge then removes.
            let counted = try ledger.reader.sentDeadLetters(createdBefore: Fixture.time(1000))
            #expect(counted == ["invalid_json": 2, "key_mismatch": 1])
            let result = try ledger.purge(
                closedBefore: Fixture.time(1), deadLettersBefore: Fixture.time(1000), note: "OPS-9",
                at: Fixture.time(9000))
            #expect(result.deadLetters == counted && result.deadLetterCount == 3)
            #expect(try Self.deadLetterIDs(ledger) == [Stored.text(unsentID), Stored.text(Fixture.uuid(50_005))])
            #expect(try ledger.count("outbox") == 2)  // the status event left the outbox when it was sent
            let detail = try Self.auditDetail(ledger, result.auditSequence) ?? ""
            #expect(
                detail.contains(
                    "3 sent dead letter(s) created before \(Fixture.time(1000).rfc3339) (invalid_json 2, key_mismatch 1)"
                ))
            // Without a dead-letter cutoff, purge leaves dead letters alone.
            let casesOnly = try ledger.purge(closedBefore: Fixture.time(1), note: "cases only", at: Fixture.time(9000))
            #expect(casesOnly.deadLetters.isEmpty && casesOnly.deadLetterCutoff == nil)
        }
    }
}
