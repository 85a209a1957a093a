import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct DeadlineStoreTests {
    private static let r1 = Fixture.uuid(1)
    private static let r2 = Fixture.uuid(2)

    private static func deadline(
        _ request: UUID, _ kind: DeadlineKind, level: Int = 1, due seconds: Int64, ms: Int32 = 0
    ) -> Deadline {
        Deadline(
            requestID: request, kind: kind, level: level, deadline: Fixture.time(seconds, ms: ms),
            dueAt: Fixture.time(seconds, ms: ms))
    }

    private static func schedule(_ deadlines: [Deadline], on ledger: Ledger, at time: Timestamp = Fixture.time(0))
        throws
    {
        var effects = Effects()
        effects.schedule = deadlines
        try ledger.write { tx in try tx.apply(effects, outbox: [], at: time) }
    }

    private static func status(_ id: String, on ledger: Ledger) throws -> (status: String, settledAt: Int64?)? {
        try ledger.sql { db in
            // Found through the id read back from the row: the stored key is only part of it.
            try db.query("SELECT * FROM deadlines").first {
                try DeadlineRows.deadline($0, schemaVersion: ledger.schemaVersion).id == id
            }.map { row in
                (try row["status"], try row["settled_at"])
            }
        }
    }

    @Test func schedulingTheSameIDTwiceKeepsOneRow() async throws {
        try await withRelayLedger { ledger, _ in
            let timer = Self.deadline(Self.r1, .acknowledge, due: 300)
            try Self.schedule([timer, timer], on: ledger)
            try Self.schedule([timer], on: ledger, at: Fixture.time(10))
            #expect(try ledger.count("deadlines") == 1)
            #expect(try ledger.write { tx in try tx.dueDeadlines(at: Fixture.time(300), limit: 10) } == [timer])
        }
    }

    @Test func dueDeadlinesComeInDueOrderUpToTheLimit() async throws {
        try await withRelayLedger { ledger, _ in
            let late = Self.deadline(Self.r1, .freeze, due: 1800, ms: 1)
            let early = Self.deadline(Self.r2, .acknowledge, due: 300, ms: 999)
            let tieA = Self.deadline(Self.r1, .acknowledge, due: 900)
            let tieB = Self.deadline(Self.r2, .freeze, due: 900)
            let future = Self.deadline(Self.r1, .holdExpiry, due: 5000)
            try Self.schedule([late, future, tieB, early, tieA], on: ledger)
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(try tx.dueDeadlines(at: Fixture.time(300, ms: 998), limit: 10).isEmpty)
                #expect(try tx.dueDeadlines(at: Fixture.time(300, ms: 999), limit: 10) == [early])
                let ties = [tieA, tieB].sorted { $0.id < $1.id }
                #expect(try tx.dueDeadlines(at: Fixture.time(1800, ms: 1), limit: 10) == [early] + ties + [late])
                #expect(try tx.dueDeadlines(at: Fixture.time(1800, ms: 1), limit: 2) == [early, ties[0]])
            }
            #expect(try ledger.nextDeadlineDue() == Fixture.time(300, ms: 999))
        }
    }

    @Test func cancellingStopsOnlyThatRequestsTimersOfThoseKinds() async throws {
        try await withRelayLedger { ledger, _ in
            let r1Ack = Self.deadline(Self.r1, .acknowledge, due: 300)
            let r1AckLevel2 = Self.deadline(Self.r1, .acknowledge, level: 2, due: 1200)
            let r1Freeze = Self.deadline(Self.r1, .freeze, due: 1800)
            let r2Ack = Self.deadline(Self.r2, .acknowledge, due: 300)
            try Self.schedule([r1Ack, r1AckLevel2, r1Freeze, r2Ack], on: ledger)
            var effects = Effects()
            effects.cancelDeadlines = [DeadlineCancellation(requestID: Self.r1, kinds: [.acknowledge])]
            try ledger.write { tx in try tx.apply(effects, outbox: [], at: Fixture.time(100)) }
            #expect(try Self.status(r1Ack.id, on: ledger)! == ("cancelled", Stored.millis(Fixture.time(100))))
            #expect(try Self.status(r1AckLevel2.id, on: ledger)!.status == "cancelled")
            #expect(try Self.status(r1Freeze.id, on: ledger)! == ("open", nil))
            #expect(try Self.status(r2Ack.id, on: ledger)! == ("open", nil))
            #expect(
                try ledger.write { tx in try tx.dueDeadlines(at: Fixture.time(9999), limit: 10) }.map(\.id).sorted()
                    == [r1Freeze.id, r2Ack.id].sorted())
        }
    }

    @Test func aTimerIsMarkedFiredOnceAndNeverScheduledAgain() async throws {
        try await withRelayLedger { ledger, _ in
            let timer = Self.deadline(Self.r1, .acknowledge, due: 300)
            try Self.schedule([timer], on: ledger)
            try ledger.write { tx in
                try tx.markFired(timer, at: Fixture.time(301))
                try tx.markFired(timer, at: Fixture.time(302))
            }
            #expect(try Self.status(timer.id, on: ledger)! == ("fired", Stored.millis(Fixture.time(301))))
            try Self.schedule([timer], on: ledger, at: Fixture.time(400))
            #expect(try Self.status(timer.id, on: ledger)!.status == "fired")
            #expect(try ledger.write { tx in try tx.dueDeadlines(at: Fixture.time(9999), limit: 10) }.isEmpty)
            #expect(try ledger.nextDeadlineDue() == nil)
        }
    }

    /// A bank moving its hold by milliseconds gives a hold-expiry timer with the same id: the
    /// answer cancels the old timer and schedules the "new" one in the same decision. Before the
    /// fix the timer stayed cancelled, and the hold lapsed without a warning.
    @Test func aTimerCancelledAndScheduledAgainByOneDecisionStaysOpen() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(5)
            try driver.receive(
                Fixture.request(
                    5, caseID: "C-HOLD", iban: Fixture.iban("722", "5"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            let firstHold = Fixture.time(86_400, ms: 100)
            let movedHold = Fixture.time(86_400, ms: 600)
            try driver.answer(
                Fixture.response(
                    1, to: id, .frozen, at: Fixture.time(60), frozen: Fixture.kzt("1000"), holdUntil: firstHold),
                from: Fixture.kaspi, at: Fixture.time(60))
            let moved = try driver.answer(
                Fixture.response(
                    2, to: id, .frozen, at: Fixture.time(120), frozen: Fixture.kzt("1000"), holdUntil: movedHold),
                from: Fixture.kaspi, at: Fixture.time(120))
            #expect(moved.cancelDeadlines.first?.kinds.contains(.holdExpiry) == true)
            let scheduled = try #require(moved.schedule.first)
            #expect(scheduled.kind == .holdExpiry)
            let open = try ledger.write { tx in try tx.dueDeadlines(at: movedHold, limit: 10) }
            #expect(open == [scheduled])
            #expect(open.first?.deadline == movedHold)
            // And at the warning time the engine warns, since the stored timer matches the hold.
            let fired = try driver.fireDue(at: scheduled.dueAt)
            #expect(fired.map(\.outcome) == [.escalated])
            #expect(fired.first?.escalations.first?.kind == .holdExpiring)
        }
    }

    @Test func routingStartsClocksAndAnAnswerStopsThem() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(6)
            try driver.receive(
                Fixture.request(
                    6, caseID: "C-CLOCK", iban: Fixture.iban("722", "6"), amount: "1000", priority: .normal,
                    at: Fixture.time(0)), at: Fixture.time(0))
            // Normal priority: acknowledge within 15 minutes, freeze within 2 hours.
            #expect(try ledger.nextDeadlineDue() == Fixture.time(900))
            let due = try ledger.write { tx in try tx.dueDeadlines(at: Fixture.time(7200), limit: 10) }
            #expect(due.map(\.kind) == [.acknowledge, .freeze])
            #expect(due.allSatisfy { $0.requestID == id && $0.level == 1 })
            try driver.answer(
                Fixture.response(1, to: id, .acknowledged, at: Fixture.time(100)), from: Fixture.kaspi,
                at: Fixture.time(100))
            #expect(
                try ledger.write { tx in try tx.dueDeadlines(at: Fixture.time(7200), limit: 10) }.map(\.kind) == [
                    .freeze
                ])
            try driver.answer(
                Fixture.response(2, to: id, .accountNotFound, at: Fixture.time(200)), from: Fixture.kaspi,
                at: Fixture.time(200))
            #expect(try ledger.nextDeadlineDue() == nil)
        }
    }
}
