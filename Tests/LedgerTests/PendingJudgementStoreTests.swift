import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// The ledger keeps what the relay judged of a police order only while its request waits to be
/// routed: written with the decision that leaves it unroutable, read back by the retry that routes
/// it, gone once it is routed, cancelled or purged.
@Suite struct PendingJudgementStoreTests {
    /// An order as large as the relay lets travel, so the row's overflow pages are exercised.
    static let verified = PoliceJudgement.verified(
        OrderAuthorization(
            issuerID: "almaty", keyID: "almaty-2026", signature: "eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl",
            order: (0..<OrderAuthorization.maxOrderBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
    static let unverified = PoliceJudgement(
        verification: .unverified, reasonCode: "signature_missing", authorization: nil)!

    /// The dormant bank enabled: the routing table after the operator fixed it.
    static let fixedEngine: RelayEngine = {
        var policy = Fixture.policy
        policy.routing = try! RoutingTable(
            banks: Fixture.routing.banks.values.sorted { $0.id.rawValue < $1.id.rawValue }.map { bank in
                var enabled = bank
                enabled.enabled = true
                return enabled
            })
        return RelayEngine(policy: policy)
    }()

    /// A request for an account at the dormant (disabled) bank: unroutable until the table is fixed.
    static func waiting(_ n: Int) -> FreezeRequest {
        Fixture.request(n, caseID: "C-\(n)", iban: Fixture.iban("555", "\(n)"), amount: "5000", at: Fixture.time(0))
    }

    /// Receives `request` the way intake does: decide, carry the order's judgement, apply.
    @discardableResult
    static func receive(_ request: FreezeRequest, judgement: PoliceJudgement, ledger: Ledger) throws -> Effects {
        try ledger.write { tx in
            var effects = Fixture.engine.receive(
                request, fingerprint: ContentFingerprint(request),
                context: .init(record: try tx.request(request.requestID)),
                case: try tx.caseContext(request.caseID), cause: .command("test", nonce: "\(request.requestID)"),
                now: Fixture.time(0))
            effects.carry(judgement, for: request.requestID)
            try tx.apply(effects, outbox: try Fixture.outbox(effects), at: Fixture.time(0))
            return effects
        }
    }

    /// Retries `requestID` the way `retry-unroutable` does, with the kept judgement in the context.
    static func retry(_ requestID: UUID, ledger: Ledger) throws -> Effects {
        try ledger.write { tx in
            let record = try #require(try tx.request(requestID))
            let context = RelayEngine.RequestContext(
                record: record, openEscalations: try tx.openEscalations(of: requestID),
                pendingJudgement: try tx.pendingJudgement(of: requestID))
            let effects = fixedEngine.retryUnroutable(
                context, case: try tx.caseContext(record.caseID), cause: .command("retry", nonce: "1"),
                now: Fixture.time(60))
            try tx.apply(effects, outbox: try Fixture.outbox(effects), at: Fixture.time(60))
            return effects
        }
    }

    static func kept(_ requestID: UUID, _ ledger: Ledger) throws -> PoliceJudgement? {
        try ledger.write { tx in try tx.pendingJudgement(of: requestID) }
    }

    @Test func keptWhileUnroutableAndGoneOnceRouted() async throws {
        try await withRelayLedger { ledger, _ in
            let request = Self.waiting(1)
            #expect(try Self.receive(request, judgement: Self.verified, ledger: ledger).outcome == .unroutable)
            #expect(try Self.kept(request.requestID, ledger) == Self.verified)
            // A request routed at once leaves nothing behind.
            let routedAtOnce = Fixture.request(
                2, caseID: "C-2", iban: Fixture.iban("601", "2"), amount: "5000", at: Fixture.time(0))
            #expect(try Self.receive(routedAtOnce, judgement: Self.verified, ledger: ledger).outcome == .routed)
            #expect(try ledger.count("pending_judgements") == 1)

            let retried = try Self.retry(request.requestID, ledger: ledger)
            #expect(retried.outcome == .routed)
            #expect(retried.routedRequests.first?.authorization == Self.verified.authorization)
            #expect(retried.routedRequests.first?.verification == .verified)
            #expect(try Self.kept(request.requestID, ledger) == nil)
            #expect(try ledger.count("pending_judgements") == 0)
        }
    }

    @Test func goneWhenTheWaitingRequestIsCancelled() async throws {
        try await withRelayLedger { ledger, _ in
            let request = Self.waiting(1)
            try Self.receive(request, judgement: Self.unverified, ledger: ledger)
            #expect(try Self.kept(request.requestID, ledger) == Self.unverified)
            let effects = try LedgerRelayDriver(ledger: ledger).cancel(
                Fixture.cancel(1, requestID: request.requestID, caseID: request.caseID, at: Fixture.time(30)),
                at: Fixture.time(30))
            #expect(effects.outcome == .cancelled)
            #expect(try ledger.count("pending_judgements") == 0)
        }
    }

    @Test func purgedWithItsRequest() async throws {
        try await withRelayLedger { ledger, _ in
            let request = Self.waiting(1)
            try Self.receive(request, judgement: .unchecked, ledger: ledger)
            try LedgerRelayDriver(ledger: ledger).cancel(
                Fixture.cancel(1, requestID: request.requestID, caseID: request.caseID, at: Fixture.time(30)),
                at: Fixture.time(30))
            // A judgement left behind for the closed request (none should be): purge takes it too.
            try ledger.write { tx in
                var stray = Effects()
                stray.pendingJudgements = [PendingJudgement(requestID: request.requestID, judgement: Self.unverified)]
                try tx.apply(stray, outbox: [], at: Fixture.time(40))
            }
            #expect(try ledger.count("pending_judgements") == 1)
            #expect(
                try ledger.purge(closedBefore: Fixture.time(100), note: "test", at: Fixture.time(200)).requests == 1)
            #expect(try ledger.count("pending_judgements") == 0)
        }
    }

    @Test func aRowThatMakesNoJudgementIsReportedNotGuessed() async throws {
        try await withRelayLedger { ledger, _ in
            let id = Fixture.uuid(7)
            try ledger.sql { db in
                try db.execute(
                    "INSERT INTO pending_judgements (request_id, verification, reason, kept_at) VALUES (?, 'unverified', 'no_such_code', 0)",
                    [Stored.text(id)])
            }
            #expect(throws: LedgerError.self) { try Self.kept(id, ledger) }
            // The table's own rules refuse a verified row without its order.
            #expect(throws: LedgerError.self) {
                try ledger.sql { db in
                    try db.execute(
                        "INSERT INTO pending_judgements (request_id, verification, issuer_id, kept_at) VALUES (?, 'verified', 'almaty', 0)",
                        [Stored.text(Fixture.uuid(8))])
                }
            }
        }
    }

    /// Version 10 on a ledger version 9 wrote: every row stays; requests kept unroutable before the
    /// upgrade have no judgement and are routed without one, those kept after it with theirs.
    @Test func aVersion9LedgerKeepsItsRowsAndGainsTheTable() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("v9.sqlite")
            let old = Self.waiting(1)
            let before: [String: Int64]
            let tables = ["requests", "deadlines", "escalations", "audit", "outbox", "request_counts"]
            do {
                let ledger = try Ledger.open(
                    at: path, configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(9)))
                defer { ledger.close() }
                #expect(ledger.schemaVersion == 9)
                let driver = LedgerRelayDriver(ledger: ledger)
                try driver.receive(old, at: Fixture.time(0))
                try driver.receive(
                    Fixture.request(
                        2, caseID: "C-2", iban: Fixture.iban("601", "2"), amount: "5000", at: Fixture.time(0)),
                    at: Fixture.time(0))
                before = try Dictionary(uniqueKeysWithValues: tables.map { ($0, try ledger.count($0)) })
            }
            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            #expect(try ledger.appliedMigrations().contains { $0.version == 10 })
            #expect(try ledger.integrityCheck().isOK)
            for table in tables { #expect(try ledger.count(table) == before[table], "\(table)") }
            #expect(try ledger.count("pending_judgements") == 0)

            let new = Self.waiting(3)
            try Self.receive(new, judgement: Self.verified, ledger: ledger)
            let oldRouted = try Self.retry(old.requestID, ledger: ledger).routedRequests.first
            #expect(oldRouted != nil && oldRouted?.verification == nil && oldRouted?.authorization == nil)
            #expect(
                try Self.retry(new.requestID, ledger: ledger).routedRequests.first?.authorization
                    == Self.verified.authorization)
            #expect(try ledger.count("pending_judgements") == 0)
        }
    }
}

extension Effects {
    var routedRequests: [RoutedRequest] {
        events.compactMap { if case .routedRequest(let routed) = $0.event { routed } else { nil } }
    }
}
