import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// The writer's cache of decoded requests must never hand out a request its row does not hold.
/// Each ledger test below writes the row's other content behind the cache's back (raw SQL, as
/// another binary or a restore would) after the event that must have emptied the cache.
@Suite struct RequestCacheTests {
    private static let caseID = "C-CACHE"
    private static let original = Fixture.request(
        1, caseID: caseID, iban: Fixture.iban("722", "1"), amount: "5000", at: Fixture.time(0))

    /// The same request id with other content.
    private static var rewritten: FreezeRequest {
        var request = original
        request.amount = Fixture.kzt("7000")
        request.legalBasis = "Decision 43/2024"
        return request
    }

    @Test func aRequestInsertedByARolledBackTransactionIsNotServedFromTheCache() async throws {
        try await withRelayLedger { ledger, _ in
            #expect(throws: Boom.self) {
                try ledger.write { tx in
                    let request = Self.original
                    let effects = Fixture.engine.receive(
                        request, fingerprint: ContentFingerprint(request),
                        context: .init(record: try tx.request(request.requestID)),
                        case: try tx.caseContext(Self.caseID),
                        cause: .record(topic: "t", partition: 0, offset: 1, eventID: request.id),
                        now: Fixture.time(0))
                    try tx.apply(effects, outbox: [], at: Fixture.time(0))
                    // Inside the transaction the inserted request is read back from the cache.
                    #expect(try tx.caseContext(Self.caseID).requests.map(\.request) == [request])
                    throw Boom()
                }
            }
            #expect(try ledger.write { tx in try tx.request(Self.original.requestID) } == nil)
            try ledger.insertRequestRow(Self.rewritten)
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(try tx.request(Self.original.requestID)?.request == Self.rewritten)
                #expect(try tx.caseContext(Self.caseID).requests.map(\.request) == [Self.rewritten])
            }
        }
    }

    @Test func purgeForgetsTheRequestsItDeleted() async throws {
        try await withRelayLedger { ledger, _ in
            let driver = LedgerRelayDriver(ledger: ledger)
            try driver.receive(Self.original, at: Fixture.time(0))
            try driver.cancel(
                Fixture.cancel(1, requestID: Self.original.requestID, caseID: Self.caseID, at: Fixture.time(60)),
                at: Fixture.time(60))
            // Read once more, so the request is certainly in the cache before the purge.
            #expect(
                try ledger.write { tx in try tx.caseContext(Self.caseID) }.requests.map(\.request) == [Self.original])
            let purged = try ledger.purge(closedBefore: Fixture.time(3600), note: "test", at: Fixture.time(7200))
            #expect(purged.requests == 1)
            try ledger.insertRequestRow(Self.rewritten)
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(try tx.request(Self.original.requestID)?.request == Self.rewritten)
                #expect(try tx.caseContext(Self.caseID).requests.map(\.request) == [Self.rewritten])
            }
        }
    }

    /// Without the cache (capacity 0) the ledger behaves the same, decoding every time.
    @Test func aLedgerWithoutTheCacheReadsTheSameRecords() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("l.sqlite"), configuration: LedgerConfiguration(durability: .normal),
                migrations: LedgerSchema.migrations, requestCacheCapacity: 0)
            defer { ledger.close() }
            let driver = LedgerRelayDriver(ledger: ledger)
            try driver.receive(Self.original, at: Fixture.time(0))
            let second = Fixture.request(
                2, caseID: Self.caseID, iban: Fixture.iban("601", "2"), amount: "300", at: Fixture.time(5))
            try driver.receive(second, at: Fixture.time(5))
            try ledger.check { (tx: borrowing RelayTransaction) throws in
                #expect(
                    try tx.caseContext(Self.caseID).requests == [
                        driver.written[Self.original.requestID], driver.written[second.requestID],
                    ])
            }
        }
    }

    // MARK: The cache alone

    private static func request(_ n: Int) -> FreezeRequest {
        Fixture.request(n, caseID: "C-\(n)", iban: Fixture.iban("722", "\(n)"), amount: "1000", at: Fixture.time(0))
    }

    @Test func stagedRequestsJoinTheCacheOnlyWhenTheTransactionCommits() {
        let cache = RequestCache(capacity: 10)
        cache.stage(Self.request(1))
        #expect(cache.request(Fixture.uuid(1)) == Self.request(1), "visible inside its transaction")
        cache.rollback()
        #expect(cache.request(Fixture.uuid(1)) == nil)
        #expect(cache.count == 0)
        cache.stage(Self.request(1))
        cache.commit()
        #expect(cache.request(Fixture.uuid(1)) == Self.request(1))
        #expect(cache.count == 1)
    }

    @Test func idsFoundAbsentAreForgottenWhenTheTransactionEnds() {
        let cache = RequestCache(capacity: 10)
        cache.noteAbsent(Fixture.uuid(1))
        cache.noteAbsent(Fixture.uuid(2))
        cache.stage(Self.request(2))
        #expect(cache.isKnownAbsent(Fixture.uuid(1)))
        #expect(!cache.isKnownAbsent(Fixture.uuid(2)), "inserted since")
        cache.commit()
        #expect(!cache.isKnownAbsent(Fixture.uuid(1)))
        cache.noteAbsent(Fixture.uuid(3))
        cache.rollback()
        #expect(!cache.isKnownAbsent(Fixture.uuid(3)))
    }

    /// The plumbing's own `open` takes the writer's memory without a default; the relay's
    /// overloads pass the cache. A benchmark once opened the ledger through an overload that did
    /// not, and measured a ledger the daemon never runs.
    @Test func everyWayTheRelayOpensItsLedgerForWritingBringsTheRequestCache() async throws {
        try await withTemporaryDirectory { dir in
            let opened = [
                try Ledger.open(at: dir.file("default.sqlite")),
                try Ledger.open(at: dir.file("configured.sqlite"), configuration: LedgerConfiguration()),
                try Ledger.open(at: dir.file("history.sqlite"), migrations: LedgerSchema.migrations),
                try Ledger.open(
                    at: dir.file("older.sqlite"), configuration: LedgerConfiguration(durability: .normal),
                    migrations: Array(LedgerSchema.migrations.prefix(13))),
            ]
            for ledger in opened {
                #expect(try ledger.transaction { db in db.requests != nil }, "\(ledger.path)")
                ledger.close()
            }
            let plumbing = try Ledger.open(
                at: dir.file("plumbing.sqlite"), migrations: TestSchema.v1, writerMemory: nil)
            defer { plumbing.close() }
            #expect(try plumbing.transaction { db in db.requests == nil })
        }
    }

    @Test func theCacheKeepsAtMostItsCapacityAndTheRequestsInUse() {
        let cache = RequestCache(capacity: 4)
        for n in 1...20 {
            cache.stage(Self.request(n))
            cache.commit()
            // Request 1 is read after every commit, as an active case's request would be.
            #expect(cache.request(Fixture.uuid(1)) != nil, "after \(n)")
            #expect(cache.count <= 4)
        }
        #expect(cache.request(Fixture.uuid(20)) != nil)
        #expect(cache.request(Fixture.uuid(2)) == nil)
    }

    @Test func removingEverythingAlsoDropsWhatTheTransactionStaged() {
        let cache = RequestCache(capacity: 4)
        cache.stage(Self.request(1))
        cache.commit()
        cache.stage(Self.request(2))
        cache.removeAll()
        cache.commit()
        #expect(cache.request(Fixture.uuid(1)) == nil)
        #expect(cache.request(Fixture.uuid(2)) == nil)
    }
}

extension Ledger {
    /// Writes a routed request's row with plain SQL, past the writer's request cache.
    func insertRequestRow(_ request: FreezeRequest, at time: Timestamp = Fixture.time(0)) throws {
        try sql { db in
            try db.execute(
                """
                INSERT INTO requests (request_id, case_id, bank_id, state, priority, hop, iban, amount, currency, received_at,
                    routed_at, fingerprint, request_json, updated_at)
                VALUES (?, ?, 'kaspi', 'routed', ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    Stored.text(request.requestID), request.caseID, request.priority.rawValue,
                    request.account.iban.electronicFormat,
                    request.amount.value, request.amount.currency, Stored.millis(time), Stored.millis(time),
                    Data(ContentFingerprint(request).digest), Data(try EventEncoder.encode(request)),
                    Stored.millis(time),
                ])
        }
    }
}
