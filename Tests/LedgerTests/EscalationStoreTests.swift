import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

@Suite struct EscalationStoreTests {
    private static func stored(_ id: UUID, on ledger: Ledger) throws -> StoredEscalation? {
        try ledger.sql { db in
            try db.query(
                "SELECT * FROM escalations WHERE escalation_id = ?", [Stored.text(id)], map: EscalationRows.stored
            ).first
        }
    }

    /// Kaspi never answers a normal request: the acknowledgement escalation climbs from level 1
    /// (at the deadline) to level 2 (15 minutes later) in one row; the freeze one starts at 2 h.
    @Test func aMissedDeadlineClimbsLevelsInOneRow() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(7)
            try driver.receive(
                Fixture.request(
                    7, caseID: "C-LATE", iban: Fixture.iban("722", "7"), amount: "1000", priority: .normal,
                    at: Fixture.time(0)), at: Fixture.time(0))
            #expect(try driver.fireDue(at: Fixture.time(900)).map(\.outcome) == [.escalated])
            let first = try #require(try ledger.write { tx in try tx.openEscalations(of: id) }.first)
            #expect(first.kind == .ackOverdue && first.level == 1 && first.raisedAt == Fixture.time(900))
            #expect(first.deadline == Fixture.time(900) && first.bankID == Fixture.kaspi && first.caseID == "C-LATE")
            #expect(try driver.fireDue(at: Fixture.time(1800)).map(\.outcome) == [.escalated])
            let open = try ledger.write { tx in try tx.openEscalations(of: id) }
            #expect(open.count == 1)
            let climbed = try #require(open.first)
            #expect(climbed.escalationID == first.escalationID && climbed.level == 2)
            #expect(climbed.raisedAt == Fixture.time(900) && climbed.levelRaisedAt == Fixture.time(1800))
            #expect(try ledger.count("escalations") == 1)

            // A lower level raised late never lowers the row, nor moves its level time.
            var lower = Effects()
            lower.escalations = [
                EscalationRecord(
                    escalationID: first.escalationID, kind: .ackOverdue, level: 1, requestID: id, caseID: "C-LATE",
                    bankID: Fixture.kaspi,
                    raisedAt: Fixture.time(2000), levelRaisedAt: Fixture.time(2000), deadline: Fixture.time(900),
                    detail: "late level 1")
            ]
            try ledger.write { tx in try tx.apply(lower, outbox: [], at: Fixture.time(2000)) }
            #expect(try ledger.write { tx in try tx.openEscalations(of: id) } == [climbed])

            // The freeze deadline adds a second escalation; reading order is by raise time.
            try driver.fireDue(at: Fixture.time(7200))
            #expect(
                try ledger.write { tx in try tx.openEscalations(of: id) }.map(\.kind) == [.ackOverdue, .freezeOverdue])
        }
    }

    @Test func anAnswerResolvesTheOverdueEscalations() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(8)
            try driver.receive(
                Fixture.request(
                    8, caseID: "C-RES", iban: Fixture.iban("722", "8"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            try driver.fireDue(at: Fixture.time(1800))
            #expect(
                try ledger.write { tx in try tx.openEscalations(of: id) }.map(\.kind) == [.ackOverdue, .freezeOverdue])
            #expect(try ledger.openEscalations(limit: 10).count == 2)
            let answered = try driver.answer(
                Fixture.response(1, to: id, .frozen, at: Fixture.time(2000), frozen: Fixture.kzt("1000")),
                from: Fixture.kaspi, at: Fixture.time(2000))
            #expect(answered.resolved.count == 2)
            #expect(try ledger.write { tx in try tx.openEscalations(of: id) }.isEmpty)
            #expect(try ledger.openEscalations(limit: 10).isEmpty)
            for closure in answered.resolved {
                let row = try #require(try Self.stored(closure.escalationID, on: ledger))
                #expect(row.resolvedAt == Fixture.time(2000) && row.resolution == .answered && !row.isOpen)
            }
        }
    }

    @Test func aCancelResolvesOpenEscalationsAsCancelled() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(9)
            try driver.receive(
                Fixture.request(
                    9, caseID: "C-CAN", iban: Fixture.iban("722", "9"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            try driver.fireDue(at: Fixture.time(300))
            let cancelled = try driver.cancel(
                Fixture.cancel(1, requestID: id, caseID: "C-CAN", at: Fixture.time(400)), at: Fixture.time(400))
            #expect(cancelled.outcome == .cancelled)
            let escalation = try #require(
                try Self.stored(EscalationRecord.id(requestID: id, kind: .ackOverdue), on: ledger))
            #expect(escalation.resolution == .cancelled && escalation.resolvedAt == Fixture.time(400))
            #expect(try ledger.nextDeadlineDue() == nil)
            let record = try #require(try ledger.write { tx in try tx.request(id) })
            #expect(
                record.state == .cancelled && record.closedAt == Fixture.time(400)
                    && record.reason == "victim recovered the money")
        }
    }

    /// A hold about to lapse raises `hold_expiring`; extending the hold supersedes it; the
    /// extended hold about to lapse raises it again under the same id. Before the fix the
    /// reopened row kept the first episode's raise time and deadline (the old hold end).
    @Test func anEscalationRaisedAgainAfterResolutionIsANewEpisode() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            let id = Fixture.uuid(10)
            try driver.receive(
                Fixture.request(
                    10, caseID: "C-EXT", iban: Fixture.iban("998", "10"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            let firstHold = Fixture.time(86_400)
            let secondHold = Fixture.time(3 * 86_400)
            try driver.answer(
                Fixture.response(
                    1, to: id, .frozen, at: Fixture.time(60), frozen: Fixture.kzt("1000"), holdUntil: firstHold),
                from: Fixture.jusan, at: Fixture.time(60))
            let firstWarning = firstHold.adding(seconds: -12 * 3600)
            try driver.fireDue(at: firstWarning)
            let escalationID = EscalationRecord.id(requestID: id, kind: .holdExpiring)
            #expect(try Self.stored(escalationID, on: ledger)?.record.deadline == firstHold)
            try driver.answer(
                Fixture.response(
                    2, to: id, .frozen, at: firstWarning.adding(seconds: 60), frozen: Fixture.kzt("1000"),
                    holdUntil: secondHold),
                from: Fixture.jusan, at: firstWarning.adding(seconds: 60))
            let superseded = try #require(try Self.stored(escalationID, on: ledger))
            #expect(superseded.resolution == .superseded && superseded.resolvedAt == firstWarning.adding(seconds: 60))

            let secondWarning = secondHold.adding(seconds: -12 * 3600)
            try driver.fireDue(at: secondWarning)
            let reopened = try #require(try Self.stored(escalationID, on: ledger))
            #expect(reopened.isOpen && reopened.resolution == nil)
            #expect(reopened.record.deadline == secondHold)
            #expect(reopened.record.raisedAt == secondWarning && reopened.record.levelRaisedAt == secondWarning)
            #expect(reopened.record.level == 1)
            #expect(try ledger.count("escalations") == 1)
        }
    }

    @Test func rejectionsUnroutablesAndForeignAnswersAreKept() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            try driver.receive(
                Fixture.request(
                    11, caseID: "C-MIX", iban: Fixture.iban("998", "11"), amount: "1000", at: Fixture.time(0)),
                at: Fixture.time(0))
            try driver.receive(
                Fixture.request(
                    12, caseID: "C-MIX", iban: Fixture.iban("111", "12"), amount: "1000", at: Fixture.time(1)),
                at: Fixture.time(1))
            try driver.answer(
                Fixture.response(
                    1, to: Fixture.uuid(11), .rejected, at: Fixture.time(100), reason: "no court order attached"),
                from: Fixture.jusan, at: Fixture.time(100))
            let foreign = try driver.answer(
                Fixture.response(2, to: Fixture.uuid(11), .frozen, at: Fixture.time(110), frozen: Fixture.kzt("1")),
                from: Fixture.halyk, at: Fixture.time(110))
            #expect(foreign.outcome == .foreignResponse)
            let open = try ledger.openEscalations(limit: 10)
            #expect(open.map(\.kind) == [.unroutable, .rejected, .foreignResponse])
            #expect(open[0].bankID == nil && open[0].requestID == Fixture.uuid(12))
            #expect(open[1].bankID == Fixture.jusan && open[1].detail.contains("no court order attached"))
            #expect(open[2].bankID == Fixture.halyk && open[2].caseID == "C-MIX")
            #expect(try ledger.openEscalations(limit: 2).count == 2)
            #expect(try ledger.openEscalations(limit: 0).isEmpty)
            #expect(try ledger.write { tx in try tx.request(Fixture.uuid(11)) }?.reason == "no court order attached")
            let security = try ledger.requestAudit(Fixture.uuid(11)).filter(\.entry.isSecurityEvent)
            // The engine files it under the request's bank; the detail names the one that answered.
            #expect(security.count == 1 && security.first?.entry.detail.contains("halyk's responses topic") == true)
        }
    }
}
