import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@testable import Ledger

/// The count tables of schema version 9 against the GROUP BY queries they replace
/// (`MetricsOracle`): after every write, through the store's own API and through raw SQL that
/// reaches trigger branches the relay never takes.
@Suite struct MetricsCountsTests {
    /// A deterministic generator (SplitMix64), so a failing seed can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What one random run went through, so the test can tell it did not pass vacuously.
    struct Coverage {
        var steps: [String: Int] = [:]
        var purgedRequests = 0
        var retried = 0
        var sawLateAnswer = false
        var sawResolvedEscalation = false
        var sawClimbedEscalation = false
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomOperationsKeepTheCountsEqualToTheGroupByQueries(seed: UInt64) async throws {
        try await withRelayLedger { ledger, _ in
            var run = RandomRelayRun(ledger: ledger, seed: seed)
            var coverage = Coverage()
            for step in 0..<160 {
                let name = try run.step(&coverage)
                coverage.steps[name, default: 0] += 1
                let counted = try ledger.metricsSnapshot(now: run.clock).counts
                let oracle = try MetricsOracle.counts(ledger)
                try #require(
                    counted == oracle, "seed \(seed), step \(step) (\(name)):\ncounted \(counted)\noracle  \(oracle)")
                coverage.sawLateAnswer = coverage.sawLateAnswer || oracle.answers.contains { $0.late > 0 }
                coverage.sawResolvedEscalation =
                    coverage.sawResolvedEscalation || oracle.escalations.contains { $0.open < $0.total }
                coverage.sawClimbedEscalation =
                    coverage.sawClimbedEscalation || oracle.escalations.contains { $0.level > 1 }
            }
            #expect(
                Set(coverage.steps.keys) == ["receive", "answer", "cancel", "fire", "retry", "purge"],
                "\(coverage.steps)")
            #expect(coverage.purgedRequests > 0 && coverage.retried > 0, "\(coverage)")
            #expect(
                coverage.sawLateAnswer && coverage.sawResolvedEscalation && coverage.sawClimbedEscalation, "\(coverage)"
            )
        }
    }

    /// Every column a count depends on, changed directly (NULL and back, across groups), rows
    /// inserted and deleted: the triggers follow each change.
    /// What picks rows of `table`: its rowid, or for the timers (stored without rowid since
    /// schema 8) their key under the request, which since schema 14 may pick the same timer of
    /// several requests: the counts must follow whatever a statement changes.
    private static func rowKey(_ table: String) -> String { table == "deadlines" ? "deadline_id" : "rowid" }

    @Test(arguments: [11, 12] as [UInt64])
    func directColumnChangesKeepTheCountsEqualToTheGroupByQueries(seed: UInt64) async throws {
        try await withRelayLedger { ledger, _ in
            try QueryDataset.build(ledger)
            var random = SeededGenerator(state: seed)
            let banks: [String?] = [nil, "halyk", "kaspi", "jusan"]
            let times: [Int64?] = [nil, 1000, 2000, 3000]
            for step in 0..<120 {
                let change: (sql: String, arguments: SQLArguments)
                switch Int.random(in: 0..<9, using: &random) {
                case 0:
                    change = ("UPDATE requests SET bank_id = ? WHERE rowid = ?", [banks.randomElement(using: &random)!])
                case 1:
                    change = (
                        "UPDATE requests SET state = ? WHERE rowid = ?",
                        [RequestState.allCases.randomElement(using: &random)!.rawValue]
                    )
                case 2:
                    change = (
                        "UPDATE requests SET answered_at = ? WHERE rowid = ?", [times.randomElement(using: &random)!]
                    )
                case 3:
                    change = (
                        "UPDATE requests SET freeze_by = ? WHERE rowid = ?", [times.randomElement(using: &random)!]
                    )
                case 4:
                    change = (
                        "UPDATE escalations SET bank_id = ? WHERE rowid = ?", [banks.randomElement(using: &random)!]
                    )
                case 5:
                    change = (
                        "UPDATE escalations SET kind = ?, level = ?, resolved_at = ? WHERE rowid = ?",
                        [
                            EscalationKind.allCases.randomElement(using: &random)!.rawValue,
                            Int.random(in: 1...3, using: &random),
                            times.randomElement(using: &random)!,
                        ]
                    )
                case 6:
                    change = (
                        "UPDATE deadlines SET status = ? WHERE deadline_id = ?",
                        [["open", "fired", "cancelled"].randomElement(using: &random)!]
                    )
                case 7:
                    let table = ["requests", "escalations", "deadlines"].randomElement(using: &random)!
                    change = ("DELETE FROM \(table) WHERE \(Self.rowKey(table)) = ?", [])
                default:
                    change = (
                        "INSERT INTO requests SELECT \(Self.requestCopyColumns) FROM requests WHERE rowid = ?", []
                    )
                }
                let table = change.sql.components(separatedBy: " ").first {
                    ["requests", "escalations", "deadlines"].contains($0)
                }!
                try ledger.sql { db in
                    let key = Self.rowKey(table)
                    let rows: [SQLValue] = try db.query("SELECT \(key) AS k FROM \(table) ORDER BY \(key)") { row in
                        try row["k"]
                    }
                    guard let picked = rows.randomElement(using: &random) else { return }
                    try db.execute(change.sql, change.arguments + [picked])
                }
                let counted = try ledger.metricsSnapshot(now: QueryDataset.now).counts
                let oracle = try MetricsOracle.counts(ledger)
                try #require(
                    counted == oracle,
                    "seed \(seed), step \(step) (\(change.sql)):\ncounted \(counted)\noracle  \(oracle)")
            }
        }
    }

    /// A copy of a request under a new id, every other column as is, in the table's column order.
    private static let requestCopyColumns = """
        lower(hex(randomblob(16))), case_id, bank_id, state, priority, hop, parent_request_id, iban, amount, currency, received_at,
        routed_at, acknowledged_at, answered_at, frozen_at, closed_at, acknowledge_by, freeze_by, frozen_amount, hold_until, reason,
        fingerprint, request_json, updated_at, frozen_currency
        """
}

/// Drives a ledger with random relay traffic: requests to every bank and to none, answers of
/// every status (some late, some moving money on to child requests), cancellations, timers
/// fired hours apart (escalations climb), unroutable requests routed after a routing fix, and
/// purges of finished cases.
struct RandomRelayRun {
    let ledger: Ledger
    let driver: LedgerRelayDriver
    var random: MetricsCountsTests.SeededGenerator
    var clock = Fixture.time(0)
    private var serial = 100

    /// The routing table once the operator added the bank that owns code 111 (unroutable before).
    private static let fixedEngine: RelayEngine = {
        var banks = Array(Fixture.routing.banks.values)
        banks.append(BankProfile(id: try! BankID("tengri"), name: "Tengri", ibanBankCodes: ["KZ111"]))
        return RelayEngine(
            policy: RelayPolicy(
                routing: try! RoutingTable(banks: banks), sla: .standard,
                chain: Fixture.policy.chain, topics: Fixture.policy.topics))
    }()

    init(ledger: Ledger, seed: UInt64) {
        self.ledger = ledger
        driver = LedgerRelayDriver(ledger: ledger)
        random = MetricsCountsTests.SeededGenerator(state: seed)
    }

    private mutating func next() -> Int {
        serial += 1
        return serial
    }

    /// A request as the ledger has it now (a purged one may come back as nil), mostly an open one.
    private mutating func knownRequest() throws -> RequestRecord? {
        let ids = driver.written.keys.sorted { $0.uuidString < $1.uuidString }
        let records = try ledger.write { tx in try ids.compactMap { try tx.request($0) } }
        let open = records.filter { !$0.state.isFinal }
        return (open.isEmpty || Int.random(in: 0..<10, using: &random) == 0 ? records : open).randomElement(
            using: &random)
    }

    /// Applies one random operation at a clock that moves forward; returns its name.
    mutating func step(_ coverage: inout MetricsCountsTests.Coverage) throws -> String {
        clock = clock.adding(seconds: Int64(Int.random(in: 1...300, using: &random)))
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case ..<30:
            let n = next()
            let code = ["601", "722", "998", "111", "555"].randomElement(using: &random)!
            // Cases come and go (a new one every few steps), so older ones finish and purges find some.
            let request = Fixture.request(
                n, caseID: "C-\(n / 12 - Int.random(in: 0...1, using: &random))", iban: Fixture.iban(code, "\(n)"),
                amount: ["2000", "50000", "500000"].randomElement(using: &random)!,
                priority: Bool.random(using: &random) ? .urgent : .normal, at: clock)
            try driver.receive(request, at: clock)
            return "receive"
        case ..<60:
            guard let record = try knownRequest() else { return "receive" }
            try driver.answer(randomAnswer(to: record), from: record.bankID ?? Fixture.halyk, at: clock)
            return "answer"
        case ..<68:
            guard let record = try knownRequest() else { return "receive" }
            try driver.cancel(
                Fixture.cancel(next(), requestID: record.requestID, caseID: record.caseID, at: clock), at: clock)
            return "cancel"
        case ..<88:
            clock = clock.adding(seconds: Int64([900, 3600, 4 * 3600, 86_400].randomElement(using: &random)!))
            for _ in 0..<50 where try !driver.fireDue(at: clock).isEmpty {}
            return "fire"
        case ..<94:
            coverage.retried += try retryUnroutable()
            return "retry"
        default:
            coverage.purgedRequests += try ledger.purge(closedBefore: clock, note: "counts test", at: clock).requests
            return "purge"
        }
    }

    private mutating func randomAnswer(to record: RequestRecord) -> BankResponse {
        let n = next()
        // Final answers twice as often as the others, so cases finish and purges find some.
        let status = (BankResponseStatus.allCases + [.rejected, .accountNotFound, .fundsMoved, .released])
            .randomElement(using: &random)!
        let frozen: Money? = [.frozen, .partiallyFrozen].contains(status) ? Fixture.kzt("1000") : nil
        let reason: String? = [.partiallyFrozen, .rejected].contains(status) ? "balance was lower" : nil
        let holdUntil: Timestamp? =
            frozen == nil ? nil : clock.adding(seconds: Int64(Int.random(in: 1...3, using: &random) * 86_400))
        var transfers: [OnwardTransfer] = []
        if [.fundsMoved, .partiallyFrozen].contains(status) {
            let code = ["601", "722", "998", "111"].randomElement(using: &random)!
            transfers = [Fixture.toIBAN(Fixture.iban(code, "\(n)"), "20000", "T\(n)", at: clock.adding(seconds: -60))]
        }
        return Fixture.response(
            n, to: record.requestID, status, at: clock, frozen: frozen, reason: reason, holdUntil: holdUntil,
            transfers: transfers)
    }

    /// What `RelayMaintenance.retryUnroutable` does, with the routing table that covers code 111.
    private func retryUnroutable() throws -> Int {
        let engine = Self.fixedEngine
        let now = clock
        return try ledger.write { tx in
            var routed = 0
            for record in try tx.unroutableRequests() {
                let effects = engine.retryUnroutable(
                    RelayEngine.RequestContext(
                        record: record, openEscalations: try tx.openEscalations(of: record.requestID)),
                    case: try tx.caseContext(record.caseID),
                    cause: .command("retry-unroutable", nonce: "\(record.requestID):\(now.rfc3339)"), now: now)
                guard effects.outcome == .routed else { continue }
                try tx.apply(effects, outbox: try Fixture.outbox(effects), at: now)
                routed += 1
            }
            return routed
        }
    }
}
