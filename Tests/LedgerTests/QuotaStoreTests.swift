import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// Intake quotas as the ledger counts them (schema `QuotaSchema`): an issuer's admitted requests
/// per UTC minute and day, an account's open and recent requests, held requests kept and listed.
@Suite struct QuotaStoreTests {
    static let agency = QuotaIssuer(registeredID: nil, agency: Fixture.issuer.agency)

    static func engine(_ quotas: IntakeQuotas) -> RelayEngine {
        var policy = Fixture.policy
        policy.quotas = quotas
        return RelayEngine(policy: policy)
    }

    /// What intake does for a new police request: count in the same transaction, decide, apply.
    @discardableResult
    static func admit(_ request: FreezeRequest, at now: Timestamp, engine: RelayEngine, ledger: Ledger) throws
        -> Effects
    {
        try ledger.write { tx in
            let usage = try tx.quotaUsage(
                issuer: agency, iban: request.account.iban, at: now,
                repeatWindow: engine.policy.quotas.account.repeatWindow)
            let cause = Cause.record(
                topic: "freeze.requests", partition: 0, offset: Int64(request.requestID.hashValue & 0xffff),
                eventID: request.id)
            let effects = engine.receive(
                request, fingerprint: ContentFingerprint(request),
                context: .init(record: try tx.request(request.requestID)),
                case: try tx.caseContext(request.caseID), quota: usage, cause: cause, now: now)
            try tx.apply(effects, outbox: try Fixture.outbox(effects), at: now)
            return effects
        }
    }

    static func account(_ n: Int) -> IBAN { Fixture.iban("601", String(n)) }

    @Test func anIssuersRequestsAreCountedPerMinuteAndTheNextMinuteStartsAfresh() async throws {
        try await withRelayLedger { ledger, _ in
            let engine = Self.engine(IntakeQuotas(issuer: .init(perMinute: 3, perDay: 5)))
            // 2024-05-01T10:00:00Z is a whole minute: seconds 0–59 are one window.
            var outcomes: [Outcome] = []
            for n in 1...4 {
                outcomes.append(
                    try Self.admit(
                        Fixture.request(
                            n, caseID: "C-\(n)", iban: Self.account(n), amount: "1000", at: Fixture.time(Int64(n * 10))),
                        at: Fixture.time(Int64(n * 10)), engine: engine, ledger: ledger
                    ).outcome)
            }
            #expect(outcomes == [.routed, .routed, .routed, .held])
            outcomes = []
            for n in 5...7 {
                outcomes.append(
                    try Self.admit(
                        Fixture.request(
                            n, caseID: "C-\(n)", iban: Self.account(n), amount: "1000", at: Fixture.time(60 + Int64(n))),
                        at: Fixture.time(60 + Int64(n)), engine: engine, ledger: ledger
                    ).outcome)
            }
            // A new minute, but the day already has 3 of its 5.
            #expect(outcomes == [.routed, .routed, .held])
            let rows = try ledger.sql { db in
                try db.query("SELECT window, admitted FROM issuer_intake ORDER BY window, window_index") { row in
                    "\(try row["window"] as String)=\(try row["admitted"] as Int64)"
                }
            }
            #expect(rows == ["day=5", "minute=3", "minute=2"])
            #expect(
                try ledger.write { tx in try tx.heldRequests() }.map(\.requestID) == [Fixture.uuid(4), Fixture.uuid(7)])
        }
    }

    @Test func anAccountsOpenRequestsCountAcrossCasesAndFinalOnesDoNot() async throws {
        try await withRelayLedger { ledger, _ in
            let engine = Self.engine(IntakeQuotas(account: .init(openRequests: 2)))
            let mule = Self.account(77)
            let driver = LedgerRelayDriver(ledger: ledger, engine: engine)
            #expect(
                try Self.admit(
                    Fixture.request(1, caseID: "C-A", iban: mule, amount: "1000", at: Fixture.time(0)),
                    at: Fixture.time(0), engine: engine, ledger: ledger
                ).outcome == .routed)
            #expect(
                try Self.admit(
                    Fixture.request(2, caseID: "C-B", iban: mule, amount: "1000", at: Fixture.time(1)),
                    at: Fixture.time(1), engine: engine, ledger: ledger
                ).outcome == .routed)
            #expect(
                try Self.admit(
                    Fixture.request(3, caseID: "C-C", iban: mule, amount: "1000", at: Fixture.time(2)),
                    at: Fixture.time(2), engine: engine, ledger: ledger
                ).outcome == .held)
            // Another account is not affected.
            #expect(
                try Self.admit(
                    Fixture.request(4, caseID: "C-C", iban: Self.account(78), amount: "1000", at: Fixture.time(3)),
                    at: Fixture.time(3), engine: engine, ledger: ledger
                ).outcome == .routed)
            // A held request is not open at a bank: it does not count against the next one, and
            // once the bank rejects one of the two, there is room again.
            try driver.answer(
                Fixture.response(1, to: Fixture.uuid(1), .rejected, at: Fixture.time(10), reason: "no court order"),
                from: Fixture.halyk, at: Fixture.time(10))
            let usage = try ledger.write { tx in
                try tx.quotaUsage(issuer: Self.agency, iban: mule, at: Fixture.time(11), repeatWindow: .seconds(3600))
            }
            #expect(usage.accountOpen == 1)
            #expect(usage.accountRecent == 2, "the rejected request still counts as a repeat; the held one does not")
            #expect(
                try Self.admit(
                    Fixture.request(5, caseID: "C-D", iban: mule, amount: "1000", at: Fixture.time(12)),
                    at: Fixture.time(12), engine: engine, ledger: ledger
                ).outcome == .routed)
        }
    }

    @Test func repeatsCountWithinTheWindowOnly() async throws {
        try await withRelayLedger { ledger, _ in
            let engine = Self.engine(IntakeQuotas(account: .init(repeats: 2, repeatWindow: .seconds(3600))))
            let mule = Self.account(9)
            var outcomes: [Outcome] = []
            for (n, second) in [(1, 0), (2, 100), (3, 200), (4, 3601), (5, 3650), (6, 3701)] {
                outcomes.append(
                    try Self.admit(
                        Fixture.request(
                            n, caseID: "C-\(n)", iban: mule, amount: "1000", at: Fixture.time(Int64(second))),
                        at: Fixture.time(Int64(second)), engine: engine, ledger: ledger
                    ).outcome)
            }
            // At 3601 s the request at 0 s has left the hour, the one at 100 s has not; at 3650 s
            // the 100 s one and the 3601 s one fill it (the held one at 200 s does not count);
            // at 3701 s the 100 s one has left too.
            #expect(outcomes == [.routed, .routed, .held, .routed, .held, .routed])
        }
    }

    @Test func openingANewWindowDropsTheIssuersOldOnes() async throws {
        try await withRelayLedger { ledger, _ in
            let start = Fixture.time(0)
            try ledger.write { tx in
                var effects = Effects()
                effects.quotaCharges = [
                    QuotaCharge(issuerKey: "agency:A", at: start), QuotaCharge(issuerKey: "agency:B", at: start),
                ]
                try tx.apply(effects, outbox: [], at: start)
            }
            let threeDaysOn = start.adding(seconds: 3 * 86_400)
            try ledger.write { tx in
                var effects = Effects()
                effects.quotaCharges = [
                    QuotaCharge(issuerKey: "agency:A", at: threeDaysOn),
                    QuotaCharge(issuerKey: "agency:A", at: threeDaysOn),
                ]
                try tx.apply(effects, outbox: [], at: threeDaysOn)
            }
            let rows = try ledger.sql { db in
                try db.query(
                    "SELECT issuer, window, window_index, admitted FROM issuer_intake ORDER BY issuer, window, window_index"
                ) { row in
                    "\(try row["issuer"] as String) \(try row["window"] as String) \(try row["window_index"] as Int64) \(try row["admitted"] as Int64)"
                }
            }
            let minute = QuotaWindow.minute.index(of: start)
            let day = QuotaWindow.day.index(of: start)
            #expect(
                rows == [
                    // A's minute from three days ago is gone (two days of minutes are kept); its day is kept (a week).
                    "agency:A day \(day) 1", "agency:A day \(day + 3) 2", "agency:A minute \(minute + 3 * 1440) 2",
                    // B opened no new window: nothing of B's is dropped.
                    "agency:B day \(day) 1", "agency:B minute \(minute) 1",
                ])
        }
    }

    @Test func countingAnAccountGoesThroughItsIndex() async throws {
        try await withRelayLedger { ledger, _ in
            let plans = try ledger.sql { db in
                try [(QuotaRows.accountOpenSQL, ["KZ00"] as SQLArguments), (QuotaRows.accountRecentSQL, ["KZ00", 0])]
                    .map { sql, arguments in
                        try db.query("EXPLAIN QUERY PLAN " + sql, arguments) { row in try row["detail"] as String }
                            .joined(separator: "; ")
                    }
            }
            for plan in plans { #expect(plan.contains("requests_by_iban"), "\(plan)") }
        }
    }

    @Test func aVersion9LedgerKeepsItsRequestsAndCountsThemAfterTheUpgrade() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v9.sqlite")
            let mule = Self.account(5)
            do {
                let old = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(9)))
                defer { old.close() }
                try LedgerRelayDriver(ledger: old).receive(
                    Fixture.request(1, caseID: "C-OLD", iban: mule, amount: "1000", at: Fixture.time(0)),
                    at: Fixture.time(0))
            }
            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.integrityCheck().isOK)
            let usage = try ledger.write { tx in
                try tx.quotaUsage(issuer: Self.agency, iban: mule, at: Fixture.time(5), repeatWindow: .seconds(60))
            }
            #expect(usage.accountOpen == 1 && usage.accountRecent == 1)
            #expect(usage.issuerThisMinute == 0, "requests admitted before the upgrade were not counted per issuer")
        }
    }
}
