import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// The publisher's deliveries are written without a sync of their own; every other commit of a
/// FULL ledger must still sync, before and after, and whether the relaxed transaction committed
/// or failed.
@Suite struct RelaxedCommitTests {
    func synchronous(_ ledger: Ledger) throws -> Int {
        try ledger.sql { db in try db.scalar("PRAGMA synchronous", as: Int.self) ?? -1 }
    }

    @Test func recordingDeliveriesLeavesTheWriterSyncingEveryOtherCommit() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("relay.sqlite"), configuration: LedgerConfiguration(durability: .full))
            defer { ledger.close() }
            #expect(try synchronous(ledger) == 2)
            try ledger.write { tx in
                try tx.apply(Effects(), outbox: [DeadLetterStoreTests.other(1)], at: Fixture.time(1))
            }
            let pending = try ledger.pendingOutbox(limit: 10)
            var outcome = Ledger.PublishingOutcome()
            outcome.sent = pending.map { ($0.sequence, 0, 7) }
            try ledger.record(outcome, at: Fixture.time(2))
            #expect(try ledger.pendingOutbox(limit: 10).isEmpty)
            #expect(try synchronous(ledger) == 2)

            // Relaxed inside, and FULL again after a relaxed transaction that failed.
            struct Refused: Error {}
            let inside = try? ledger.transaction(syncing: false) { db -> Int in
                #expect(try db.scalar("PRAGMA synchronous", as: Int.self) == 1)
                throw Refused()
            }
            #expect(inside == nil)
            #expect(try synchronous(ledger) == 2)
        }
    }

    @Test func aNormalLedgerStaysNormal() async throws {
        try await withRelayLedger { ledger, _ in
            #expect(try synchronous(ledger) == 1)
            _ = try ledger.transaction(syncing: false) { _ in 0 }
            #expect(try synchronous(ledger) == 1)
        }
    }
}
