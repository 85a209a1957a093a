import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// A transaction tells what it queued, so the publisher can send committed events from memory:
/// it must name exactly the rows the outbox holds, with their sequence numbers, and nothing else.
@Suite struct QueuedEventsTests {
    @Test func aTransactionNamesExactlyTheRowsItQueuedWithTheirSequenceNumbers() async throws {
        try await withRelayLedger { ledger, _ in
            let first = (1...3).map { DeadLetterStoreTests.other($0) }
            let queuedFirst = try ledger.write { tx in
                try tx.apply(Effects(), outbox: first, at: Fixture.time(10))
                return tx.queuedEvents
            }
            // The same event again (already queued) and a new one: only the new one is queued.
            let second = [first[1], DeadLetterStoreTests.other(4)]
            let queuedSecond = try ledger.write { tx in
                try tx.apply(Effects(), outbox: second, at: Fixture.time(20))
                return tx.queuedEvents
            }
            let stored = try ledger.pendingOutbox(limit: 100)
            #expect(stored.count == 4)
            #expect(queuedFirst.map(\.message) == first)
            #expect(queuedSecond.map(\.message) == [DeadLetterStoreTests.other(4)])
            let read = Dictionary(uniqueKeysWithValues: stored.map { ($0.sequence, $0.message) })
            for event in queuedFirst + queuedSecond {
                #expect(read[event.sequence] == event.message, "sequence \(event.sequence) names another row")
                #expect(event.attempts == 0)
            }
            #expect((queuedFirst + queuedSecond).map(\.sequence) == stored.map(\.sequence))
        }
    }

    @Test func aTransactionThatQueuesNothingNamesNothing() async throws {
        try await withRelayLedger { ledger, _ in
            let queued = try ledger.write { tx in
                try tx.apply(Effects(), outbox: [], at: Fixture.time(10))
                return tx.queuedEvents
            }
            #expect(queued.isEmpty)
        }
    }
}
