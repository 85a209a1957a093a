import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct OutboxStoreTests {
    private static func message(_ n: Int, key: String? = "C-1") -> OutboxMessage {
        OutboxMessage(
            eventID: Fixture.uuid(40_000 + n), eventType: "request_status", topic: "freeze.status",
            key: key.map { Array($0.utf8) }, payload: Array("{\"n\":\(n)}".utf8),
            headers: [
                (name: "fr-event-id", value: Array("e\(n)".utf8)), (name: "binary", value: [0, 255, 7]),
                (name: "empty", value: []),
            ])
    }

    private static func queue(_ messages: [OutboxMessage], on ledger: Ledger, at time: Timestamp) throws {
        try ledger.write { tx in try tx.apply(Effects(), outbox: messages, at: time) }
    }

    @Test func theSameEventIsQueuedOnceAndAnotherUnderItsIDIsRefused() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(1), Self.message(1)], on: ledger, at: Fixture.time(1))
            try Self.queue([Self.message(1)], on: ledger, at: Fixture.time(2))
            var changed = Self.message(1)
            changed.payload = Array("other".utf8)
            #expect(
                throws: OutboxConflict(eventID: changed.eventID, eventType: "request_status", differences: ["payload"])
            ) {
                try Self.queue([changed], on: ledger, at: Fixture.time(2))
            }
            let pending = try ledger.pendingOutbox(limit: 10)
            #expect(pending.count == 1)
            #expect(pending.first?.message == Self.message(1))
            #expect(pending.first?.createdAt == Fixture.time(1).date)
        }
    }

    @Test func aConflictLaterInADecisionTakesOutItsEarlierEventsAndTheTransactionGoesOn() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(1)], on: ledger, at: Fixture.time(1))
            var changed = Self.message(1)
            changed.topic = "freeze.elsewhere"
            let queued = try ledger.write { tx in
                // The second event collides after the first was inserted: the first must go again.
                #expect(
                    throws: OutboxConflict(
                        eventID: changed.eventID, eventType: "request_status", differences: ["topic"])
                ) {
                    try tx.apply(Effects(), outbox: [Self.message(2), changed], at: Fixture.time(2))
                }
                // The caller records something else in the decision's place, in the same transaction.
                try tx.apply(Effects(), outbox: [Self.message(3)], at: Fixture.time(2))
                return tx.queuedEvents.map(\.message)
            }
            #expect(queued == [Self.message(3)])
            #expect(try ledger.pendingOutbox(limit: 10).map(\.message) == [Self.message(1), Self.message(3)])
        }
    }

    @Test func pendingEventsComeInQueueOrderAndReadBackExactly() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(3), Self.message(1, key: nil)], on: ledger, at: Fixture.time(1))
            try Self.queue([Self.message(2)], on: ledger, at: Fixture.time(2))
            let pending = try ledger.pendingOutbox(limit: 10)
            #expect(pending.map(\.message) == [Self.message(3), Self.message(1, key: nil), Self.message(2)])
            #expect(pending.map(\.sequence) == pending.map(\.sequence).sorted())
            #expect(pending.allSatisfy { $0.attempts == 0 })
            #expect(pending[1].message.key == nil)
            #expect(pending[0].message.headers.map(\.value) == [Array("e3".utf8), [0, 255, 7], []])
            #expect(
                try ledger.pendingOutbox(limit: 2).map(\.message.eventID) == [
                    Self.message(3).eventID, Self.message(1).eventID,
                ])
        }
    }

    @Test func acknowledgedEventsLeaveTheOutbox() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue(
                [Self.message(1), Self.message(2), Self.message(3), Self.message(4)], on: ledger, at: Fixture.time(1))
            let pending = try ledger.pendingOutbox(limit: 10)
            try ledger.markSent([], at: Fixture.time(2))
            // Acknowledgements arrive out of order and with gaps: 1 and 3 and 4 land, 2 does not.
            try ledger.markSent(
                [(pending[3].sequence, 2, 5), (pending[0].sequence, 4, 1000), (pending[2].sequence, 1, 77)],
                at: Fixture.time(5))
            #expect(try ledger.pendingOutbox(limit: 10).map(\.sequence) == [pending[1].sequence])
            #expect(
                try ledger.sql { db in try db.query("SELECT seq FROM outbox") { row in try row["seq"] as Int64 } } == [
                    pending[1].sequence
                ],
                "the acknowledged rows are gone, the unacknowledged one is untouched")
            // A second acknowledgement of an event already gone changes nothing, nor does a late failure.
            try ledger.markSent([(pending[0].sequence, 9, 9)], at: Fixture.time(6))
            try ledger.markAttemptFailed(pending[0].sequence, error: "late report")
            #expect(try ledger.count("outbox") == 1)
            // A new event is never given the number of one that left (AUTOINCREMENT), so the
            // publisher's cursor stays valid.
            try ledger.markSent([(pending[1].sequence, 0, 0)], at: Fixture.time(7))
            #expect(try ledger.count("outbox") == 0)
            try Self.queue([Self.message(5)], on: ledger, at: Fixture.time(8))
            #expect(try ledger.pendingOutbox(limit: 10).map(\.sequence) == [pending[3].sequence + 1])
        }
    }

    @Test func anAcknowledgedDeadLetterStaysMarkedWithWhereItWent() async throws {
        try await withRelayLedger { ledger, _ in
            let letter = OutboxMessage(
                eventID: Fixture.uuid(7_001), eventType: "dead_letter", topic: "freeze.deadletter", key: nil,
                payload: Array("{}".utf8), headers: [])
            try Self.queue([Self.message(1), letter, Self.message(2)], on: ledger, at: Fixture.time(1))
            let pending = try ledger.pendingOutbox(limit: 10)
            try ledger.markSent(
                pending.enumerated().map { ($1.sequence, Int32($0), Int64(100 + $0)) }, at: Fixture.time(5))
            #expect(try ledger.pendingOutbox(limit: 10).isEmpty)
            let rows = try ledger.sql { db in
                try db.query("SELECT event_type, partition, offset, sent_at, attempts FROM outbox") { row in
                    [
                        try row.string("event_type"), "\(try row.int("partition"))", "\(try row.int("offset"))",
                        "\(try row.int("sent_at"))", "\(try row.int("attempts"))",
                    ]
                }
            }
            #expect(rows == [["dead_letter", "1", "101", "\(Stored.millis(Fixture.time(5)))", "1"]])
        }
    }

    @Test(arguments: [
        ([Int64](), [ClosedRange<Int64>]()), ([5], [5...5]), ([3, 1, 2], [1...3]),
        ([1, 2, 4, 6, 5, 9], [1...2, 4...6, 9...9]),
        ([2, 2, 3], [2...3]),
        ([Int64.max, Int64.max - 1, Int64.min], [Int64.min...Int64.min, (Int64.max - 1)...Int64.max]),
    ])
    func acknowledgementsGroupIntoRunsOfConsecutiveNumbers(sequences: [Int64], runs: [ClosedRange<Int64>]) {
        #expect(OutboxRuns.of(sequences) == runs)
    }

    @Test func failedAttemptsAreCountedAndTheEventStaysQueued() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(1)], on: ledger, at: Fixture.time(1))
            let sequence = try #require(try ledger.pendingOutbox(limit: 1).first?.sequence)
            try ledger.markAttemptFailed(sequence, error: "broker down")
            try ledger.markAttemptFailed(sequence, error: String(repeating: "x", count: 900))
            let pending = try #require(try ledger.pendingOutbox(limit: 1).first)
            #expect(pending.sequence == sequence && pending.attempts == 2)
            #expect(
                try ledger.sql { db in
                    try db.scalar("SELECT length(last_error) FROM outbox WHERE seq = ?", [sequence], as: Int.self)
                } == 500)

            // Once sent, the event is gone: a late failure report does not bring it back.
            try ledger.markSent([(sequence, 0, 1)], at: Fixture.time(2))
            try ledger.markAttemptFailed(sequence, error: "late report")
            #expect(try ledger.pendingOutbox(limit: 1).isEmpty)
            #expect(try ledger.count("outbox") == 0)
        }
    }

    @Test func theBacklogCountsUnsentEventsAndTheirAge() async throws {
        try await withRelayLedger { ledger, _ in
            #expect(try ledger.outboxBacklog() == OutboxBacklog(unsent: 0, oldestCreatedAt: nil))
            try Self.queue([Self.message(1)], on: ledger, at: Fixture.time(10, ms: 5))
            try Self.queue([Self.message(2), Self.message(3)], on: ledger, at: Fixture.time(20))
            #expect(try ledger.outboxBacklog() == OutboxBacklog(unsent: 3, oldestCreatedAt: Fixture.time(10, ms: 5)))
            let first = try #require(try ledger.pendingOutbox(limit: 1).first)
            try ledger.markSent([(first.sequence, 0, 0)], at: Fixture.time(30))
            #expect(try ledger.outboxBacklog() == OutboxBacklog(unsent: 2, oldestCreatedAt: Fixture.time(20)))
            let metrics = try ledger.metricsSnapshot(now: Fixture.time(50, ms: 500))
            #expect(metrics.outboxUnsent == 2 && metrics.outboxOldestAgeSeconds == 30.5)
        }
    }

    @Test func aDecisionsEventsAreQueuedWithItsStateChange() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let routed = try driver.receive(
                Fixture.request(
                    1, caseID: "C-OUT", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            let pending = try ledger.pendingOutbox(limit: 10)
            #expect(pending.map(\.message) == (try Fixture.outbox(routed)))
            #expect(pending.map(\.message.topic) == ["freeze.bank.halyk.requests", "freeze.status"])
            #expect(pending.first?.message.key == Array(CanonicalUUID.string(Fixture.uuid(1)).utf8))
            #expect(pending.last?.message.key == Array("C-OUT".utf8))
        }
    }
}

/// Schema version 13 deletes what older ledgers kept of published events.
@Suite struct SentEventsLeaveMigrationTests {
    @Test func aVersion12LedgerKeepsOnlyItsUnsentEventsAndItsDeadLetters() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v12.sqlite")
            let letter = OutboxMessage(
                eventID: Fixture.uuid(7_100), eventType: "dead_letter", topic: "freeze.deadletter", key: nil,
                payload: Array("{\"dead\":1}".utf8), headers: [])
            var kept: [String] = []
            var highest: Int64 = 0
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(12)))
                defer { old.close() }
                try LedgerRelayDriver(ledger: old).receive(
                    Fixture.request(
                        1, caseID: "C-OLD", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(0)),
                    at: Fixture.time(0))
                try old.write { tx in try tx.apply(Effects(), outbox: [letter], at: Fixture.time(1)) }
                try LedgerRelayDriver(ledger: old).receive(
                    Fixture.request(
                        2, caseID: "C-OLD", iban: Fixture.iban("601", "2"), amount: "1000", at: Fixture.time(2)),
                    at: Fixture.time(2))
                let rows = try old.sql { db in
                    try db.query("SELECT seq, event_id, event_type FROM outbox ORDER BY seq") { row in
                        (try row["seq"] as Int64, try row["event_id"] as String, try row["event_type"] as String)
                    }
                }
                let letterIndex = try #require(rows.firstIndex { $0.2 == "dead_letter" })
                #expect(letterIndex >= 2 && rows.count >= letterIndex + 3, "\(rows)")
                // As version 12 recorded deliveries: the first request's events and the dead letter
                // sent, the last event parked, the rest waiting.
                try old.sql { db in
                    try db.execute(
                        "UPDATE outbox SET sent_at = 5, attempts = 1, partition = 0, offset = seq WHERE seq <= ?",
                        [rows[letterIndex].0])
                    try db.execute(
                        "UPDATE outbox SET parked_at = 6, last_error = 'too large' WHERE seq = ?",
                        [rows[rows.count - 1].0])
                }
                kept = rows[letterIndex...].map(\.1)
                highest = rows[rows.count - 1].0
            }
            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.integrityCheck().isOK)
            #expect(
                try ledger.sql { db in
                    try db.query("SELECT event_id FROM outbox ORDER BY seq") { row in try row["event_id"] as String }
                } == kept)
            #expect(try ledger.parkedCount() == 1)
            #expect(try ledger.outboxBacklog().unsent == kept.count - 2)
            #expect(try ledger.reader.deadLetterStats().stored == 1, "the dead letter's running count is untouched")
            // Numbering continues after the highest number ever given, deleted rows included.
            try ledger.write { tx in
                try tx.apply(
                    Effects(),
                    outbox: [
                        OutboxMessage(
                            eventID: Fixture.uuid(7_101), eventType: "request_status", topic: "freeze.status",
                            key: nil, payload: Array("{}".utf8), headers: [])
                    ], at: Fixture.time(9))
            }
            #expect(
                try ledger.sql { db in try db.scalar("SELECT max(seq) FROM outbox", as: Int64.self) } == highest + 1)
        }
    }
}
