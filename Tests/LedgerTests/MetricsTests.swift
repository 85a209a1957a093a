import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

@Suite struct MetricsTests {
    @Test func theSnapshotCountsOpenWorkEscalationsAndAnswers() async throws {
        try await withRelayLedger { ledger, _ in
            let dataset = try QueryDataset.build(ledger)
            let snapshot = try ledger.metricsSnapshot(now: QueryDataset.now)
            #expect(snapshot.takenAt == QueryDataset.now)
            #expect(
                snapshot.openRequests == [
                    .init(bankID: nil, state: .unroutable, count: 1),
                    .init(bankID: Fixture.halyk, state: .partiallyFrozen, count: 1),
                    .init(bankID: Fixture.jusan, state: .acknowledged, count: 1),
                    .init(bankID: Fixture.jusan, state: .frozen, count: 2),
                    .init(bankID: Fixture.jusan, state: .routed, count: 1),
                    .init(bankID: Fixture.kaspi, state: .routed, count: 1),
                ])
            // Hold ends of the chain's police request and Jusan child; 20: both clocks; 21: freeze; 41: both.
            #expect(snapshot.openDeadlines == 7)
            #expect(
                snapshot.escalations == [
                    .init(bankID: nil, kind: .unroutable, level: 1, open: 1, total: 1),
                    .init(bankID: Fixture.halyk, kind: .chainExit, level: 1, open: 5, total: 5),
                    .init(bankID: Fixture.halyk, kind: .chainLimit, level: 1, open: 1, total: 1),
                    .init(bankID: Fixture.kaspi, kind: .chainLimit, level: 1, open: 1, total: 1),
                ])
            #expect(
                snapshot.answers == [
                    .init(bankID: Fixture.halyk, inTime: 2, late: 0),
                    .init(bankID: Fixture.jusan, inTime: 1, late: 1),
                    .init(bankID: Fixture.kaspi, inTime: 1, late: 0),
                ])
            #expect(snapshot.outboxUnsent == (try ledger.outboxBacklog().unsent))
            #expect(snapshot.outboxOldestAgeSeconds == 7000)

            // Fire everything due: C-SLOW's 41 climbs both escalations to level 3 (an hour after
            // each deadline), C-LATE's 20 reaches acknowledgement level 2 (15 minutes after).
            while try !dataset.driver.fireDue(at: QueryDataset.now).isEmpty {}
            let fired = try ledger.metricsSnapshot(now: QueryDataset.now)
            let overdue = fired.escalations.filter { $0.kind == .ackOverdue || $0.kind == .freezeOverdue }
            #expect(
                overdue == [
                    .init(bankID: Fixture.jusan, kind: .ackOverdue, level: 3, open: 1, total: 1),
                    .init(bankID: Fixture.jusan, kind: .freezeOverdue, level: 3, open: 1, total: 1),
                    .init(bankID: Fixture.kaspi, kind: .ackOverdue, level: 2, open: 1, total: 1),
                ])
            // Answering resolves them: still counted in total, no longer open.
            try dataset.driver.answer(
                Fixture.response(41, to: Fixture.uuid(41), .frozen, at: QueryDataset.now, frozen: Fixture.kzt("4000")),
                from: Fixture.jusan, at: QueryDataset.now)
            let answered = try ledger.metricsSnapshot(now: QueryDataset.now)
            #expect(
                answered.escalations.filter { $0.bankID == Fixture.jusan }.map { [$0.open, $0.total] } == [
                    [0, 1], [0, 1],
                ])
            #expect(
                answered.answers.first { $0.bankID == Fixture.jusan }
                    == .init(bankID: Fixture.jusan, inTime: 1, late: 2))
        }
    }

    @Test func recentLatenciesCoverRequestsAnsweredInTheWindow() async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            let recent = try ledger.recentLatencies(since: Fixture.time(1000))
            #expect(recent.map(\.bankID) == [Fixture.jusan])
            #expect(recent.first?.acknowledgeSeconds.sorted() == [100, 599.5, 2000])
            #expect(recent.first?.freezeSeconds.sorted() == [599.5, 2000])
            let all = try ledger.recentLatencies(since: Fixture.time(0))
            #expect(all.map(\.bankID) == [Fixture.halyk, Fixture.jusan, Fixture.kaspi])
            #expect(all[0].acknowledgeSeconds.sorted() == [60.25, 100] && all[0].freezeSeconds == [600.5])
            #expect(all[2].acknowledgeSeconds == [299.5] && all[2].freezeSeconds.isEmpty)
            #expect(try ledger.recentLatencies(since: Fixture.time(5101)).isEmpty)
            // The window's end bounds it too: rows stamped at or after it wait for a later window.
            #expect(try ledger.recentLatencies(since: Fixture.time(0), until: Fixture.time(0)).isEmpty)
            #expect(try ledger.recentLatencies(since: Fixture.time(1000), until: Fixture.time(1000)).isEmpty)
            #expect(try ledger.recentLatencies(since: Fixture.time(0), until: Fixture.time(1_000_000)) == all)
        }
    }
}
