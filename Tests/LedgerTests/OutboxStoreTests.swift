import Contracts
import Foundation
import Relay
import Testing
@testable import Ledger

@Suite struct OutboxStoreTests {
    private static func message(_ n: Int, key: String? = "C-1") -> OutboxMessage {
        OutboxMessage(eventID: Fixture.uuid(40_000 + n), eventType: "request_status", topic: "freeze.status",
                      key: key.map { Array($0.utf8) }, payload: Array("{\"n\":\(n)}".utf8),
                      headers: [(name: "fr-event-id", value: Array("e\(n)".utf8)), (name: "binary", value: [0, 255, 7]), (name: "empty", value: [])])
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
            #expect(throws: OutboxConflict(eventID: changed.eventID, eventType: "request_status", differences: ["payload"])) {
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
                #expect(throws: OutboxConflict(eventID: changed.eventID, eventType: "request_status", differences: ["topic"])) {
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
            #expect(try ledger.pendingOutbox(limit: 2).map(\.message.eventID) == [Self.message(3).eventID, Self.message(1).eventID])
        }
    }

    @Test func sentEventsLeaveTheQueueWithWhereTheyWent() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(1), Self.message(2), Self.message(3)], on: ledger, at: Fixture.time(1))
            let pending = try ledger.pendingOutbox(limit: 10)
            try ledger.markSent([], at: Fixture.time(2))
            try ledger.markSent([(pending[0].sequence, 4, 1000), (pending[2].sequence, 1, 77)], at: Fixture.time(5))
            #expect(try ledger.pendingOutbox(limit: 10).map(\.sequence) == [pending[1].sequence])
            // A second acknowledgement of the same event changes nothing.
            try ledger.markSent([(pending[0].sequence, 9, 9)], at: Fixture.time(6))
            let row = try #require(try ledger.sql { db in try db.queryFirst("SELECT * FROM outbox WHERE seq = ?", [pending[0].sequence]) })
            #expect(try row.int("partition") == 4 && row.int("offset") == 1000)
            #expect(try row.int("sent_at") == Stored.millis(Fixture.time(5)))
            #expect(try row.int("attempts") == 1)
        }
    }

    @Test func failedAttemptsAreCountedAndTheEventStaysQueued() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.queue([Self.message(1)], on: ledger, at: Fixture.time(1))
            let sequence = try #require(try ledger.pendingOutbox(limit: 1).first?.sequence)
            try ledger.markAttemptFailed(sequence, error: "broker down")
            try ledger.markAttemptFailed(sequence, error: String(repeating: "x", count: 900))
            let pending = try #require(try ledger.pendingOutbox(limit: 1).first)
            #expect(pending.sequence == sequence && pending.attempts == 2)
            #expect(try ledger.sql { db in try db.scalar("SELECT length(last_error) FROM outbox WHERE seq = ?", [sequence], as: Int.self) } == 500)

            // Once sent, a late failure report no longer counts against it.
            try ledger.markSent([(sequence, 0, 1)], at: Fixture.time(2))
            try ledger.markAttemptFailed(sequence, error: "late report")
            let row = try #require(try ledger.sql { db in try db.queryFirst("SELECT attempts, last_error FROM outbox WHERE seq = ?", [sequence]) })
            #expect(try row.int("attempts") == 3)
            #expect(try (row["last_error"] as String?) == nil)
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
            let driver = RelayDriver(ledger: ledger)
            let routed = try driver.receive(Fixture.request(1, caseID: "C-OUT", iban: Fixture.iban("601", "1"), amount: "1000", at: Fixture.time(0)), at: Fixture.time(0))
            let pending = try ledger.pendingOutbox(limit: 10)
            #expect(pending.map(\.message) == (try Fixture.outbox(routed)))
            #expect(pending.map(\.message.topic) == ["freeze.bank.halyk.requests", "freeze.status"])
            #expect(pending.first?.message.key == Array(CanonicalUUID.string(Fixture.uuid(1)).utf8))
            #expect(pending.last?.message.key == Array("C-OUT".utf8))
        }
    }
}
