import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

@Suite struct PurgeTests {
    /// `QueryDataset` plus: C-CLOSED-LATE (rejected at 20000 s, after the cutoff), C-HALF (one
    /// request closed at 300 s, one open), C-CANCELLED (cancelled by police at 400 s).
    @discardableResult
    private static func build(_ ledger: Ledger) throws -> QueryDataset {
        let dataset = try QueryDataset.build(ledger)
        let driver = dataset.driver
        let t = { (seconds: Int64) in Fixture.time(seconds) }
        try driver.receive(
            Fixture.request(60, caseID: "C-CLOSED-LATE", iban: Fixture.iban("601", "60"), amount: "100", at: t(250)),
            at: t(250))
        try driver.answer(
            Fixture.response(60, to: Fixture.uuid(60), .rejected, at: t(20_000), reason: "no legal basis"),
            from: Fixture.halyk, at: t(20_000))
        try driver.receive(
            Fixture.request(70, caseID: "C-HALF", iban: Fixture.iban("601", "70"), amount: "100", at: t(260)),
            at: t(260))
        try driver.receive(
            Fixture.request(71, caseID: "C-HALF", iban: Fixture.iban("722", "71"), amount: "100", at: t(260)),
            at: t(260))
        try driver.answer(
            Fixture.response(70, to: Fixture.uuid(70), .accountNotFound, at: t(300)), from: Fixture.halyk, at: t(300))
        try driver.receive(
            Fixture.request(80, caseID: "C-CANCELLED", iban: Fixture.iban("998", "80"), amount: "100", at: t(270)),
            at: t(270))
        try driver.cancel(
            Fixture.cancel(80, requestID: Fixture.uuid(80), caseID: "C-CANCELLED", at: t(400)), at: t(400))
        return dataset
    }

    private static let kept = ["C-CHAIN-1", "C-SLOW", "C-LATE", "C-UNR", "C-CLOSED-LATE", "C-HALF"]

    @Test func finishedCasesGoAndEverythingElseStays() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.build(ledger)
            // Everything published except C-DONE's last status event.
            let pending = try ledger.pendingOutbox(limit: 1000)
            let unsent = try #require(pending.last { $0.message.key == Array("C-DONE".utf8) })
            try ledger.markSent(
                pending.filter { $0.sequence != unsent.sequence }.map { ($0.sequence, 0, $0.sequence) },
                at: Fixture.time(30_000))
            var before: [String: CaseDetail] = [:]
            for caseID in Self.kept { before[caseID] = try ledger.caseDetail(caseID) }
            #expect(before.count == Self.kept.count)
            // Published events left the outbox as they were acknowledged: only C-DONE's last one waits.
            #expect(try ledger.count("outbox") == 1)

            let result = try ledger.purge(
                closedBefore: Fixture.time(10_000), note: "retention: ticket OPS-7", at: Fixture.time(40_000))
            #expect(result.caseIDs == ["C-CANCELLED", "C-DONE"])
            #expect(
                result.requests == 2 && result.deadlines == 4 && result.responses == 1 && result.escalations == 0
                    && result.edges == 0)
            #expect(result.auditRows == 4)
            #expect(result.outboxRows == 0, "no sent event was left for the purge to delete")

            #expect(try ledger.caseDetail("C-DONE") == nil)
            #expect(try ledger.caseDetail("C-CANCELLED") == nil)
            #expect(try ledger.requestAudit(Fixture.uuid(30)).isEmpty)
            #expect(try ledger.write { tx in try tx.response(bank: Fixture.halyk, responseID: "resp-30") } == nil)
            #expect(
                try ledger.sql { db in
                    try db.scalar(
                        "SELECT count(*) FROM deadlines WHERE request_id IN (?, ?)",
                        [Stored.text(Fixture.uuid(30)), Stored.text(Fixture.uuid(80))], as: Int.self)
                } == 0)
            for caseID in Self.kept { #expect(try ledger.caseDetail(caseID) == before[caseID], "\(caseID)") }
            #expect(try ledger.count("outbox") == 1, "the unsent event stays")
            #expect(try ledger.pendingOutbox(limit: 10).map(\.sequence) == [unsent.sequence])

            let record = try #require(
                try ledger.sql { db in
                    try db.query("SELECT * FROM audit WHERE seq = ?", [result.auditSequence], map: AuditRows.record)
                        .first
                })
            #expect(
                record.entry.cause == "purge" && record.entry.requestID == nil && record.entry.caseID == nil
                    && record.entry.bankID == nil)
            #expect(record.entry.at == Fixture.time(40_000))
            #expect(record.entry.detail.contains("purged 2 case(s) with 2 request(s)"))
            #expect(record.entry.detail.contains(Fixture.time(10_000).rfc3339))
            #expect(record.entry.detail.hasSuffix("note: retention: ticket OPS-7"))
        }
    }

    @Test func openCasesAndCasesClosedAfterTheCutoffAreNeverPurged() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.build(ledger)
            let early = try ledger.purge(closedBefore: Fixture.time(200), note: "nothing yet", at: Fixture.time(40_000))
            #expect(early.caseIDs.isEmpty && early.requests == 0)
            // 200 s is C-DONE's close time: "before" is strict.
            #expect(try ledger.caseDetail("C-DONE") != nil)
            let late = try ledger.purge(
                closedBefore: Fixture.time(100_000), note: "everything finished", at: Fixture.time(100_000))
            #expect(late.caseIDs == ["C-CANCELLED", "C-CLOSED-LATE", "C-DONE"])
            for caseID in ["C-CHAIN-1", "C-SLOW", "C-LATE", "C-UNR", "C-HALF"] {
                #expect(try ledger.caseDetail(caseID) != nil, "\(caseID)")
            }
            // C-CLOSED-LATE's rejection escalation was open; it goes with its case.
            #expect(late.escalations == 1)
            #expect(try ledger.openEscalations(limit: 100).allSatisfy { $0.caseID != "C-CLOSED-LATE" })
            // Unsent events are kept whatever their case.
            #expect(late.outboxRows == 0)
            let purges = try ledger.sql { db in
                try db.query("SELECT * FROM audit WHERE cause = 'purge' ORDER BY seq", map: AuditRows.record)
            }
            #expect(purges.map(\.entry.detail.count).allSatisfy { $0 > 0 } && purges.count == 2)
            #expect(purges[0].entry.detail.contains("purged 0 case(s)"))
        }
    }
    /// Dead letters stay in the outbox once sent (every other event leaves it), so the sent ones
    /// keyed by a purged case or request are all the purge finds there; unsent ones stay.
    @Test func sentDeadLettersKeyedByAPurgedCaseGoWithIt() async throws {
        try await withRelayLedger { ledger, _ in
            try Self.build(ledger)
            try ledger.markSent(
                try ledger.pendingOutbox(limit: 1000).map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(30_000))
            func letter(_ n: Int, key: String?) -> OutboxMessage {
                OutboxMessage(
                    eventID: Fixture.uuid(90_000 + n), eventType: "dead_letter", topic: "freeze.deadletter",
                    key: key.map { Array($0.utf8) },
                    payload: Array("{}".utf8), headers: [])
            }
            try ledger.write { tx in
                try tx.apply(
                    Effects(),
                    outbox: [
                        letter(1, key: "C-DONE"), letter(2, key: CanonicalUUID.string(Fixture.uuid(80))),
                        letter(3, key: "C-SLOW"), letter(4, key: nil),
                    ], at: Fixture.time(30_001))
            }
            let queued = try ledger.pendingOutbox(limit: 10)
            try ledger.markSent(queued.dropLast().map { ($0.sequence, 0, $0.sequence) }, at: Fixture.time(30_002))
            try ledger.write { tx in
                try tx.apply(Effects(), outbox: [letter(5, key: "C-DONE")], at: Fixture.time(30_003))
            }

            let result = try ledger.purge(closedBefore: Fixture.time(10_000), note: "OPS-8", at: Fixture.time(40_000))
            #expect(result.caseIDs == ["C-CANCELLED", "C-DONE"])
            #expect(result.outboxRows == 2, "the sent dead letters keyed by C-DONE and by C-CANCELLED's request")
            let left = try ledger.sql { db in
                try db.query("SELECT event_id FROM outbox ORDER BY seq") { row in try row["event_id"] as String }
            }
            #expect(
                left == [3, 4, 5].map { CanonicalUUID.string(Fixture.uuid(90_000 + $0)) },
                "C-SLOW's stays, and so do the unsent ones (one of them keyed by C-DONE)")
        }
    }
}
