import Contracts
import Foundation
import Ledger
import Logging
import Relay
import RelayKafka
import RelayTestSupport

@testable import RelayRuntime

/// Times of the fixture: everything happens around 2026-03-02T09:00:00Z, and reports are
/// judged two hours later.
let t0 = try! Timestamp(parsing: "2026-03-02T09:00:00Z")
func at(minutes: Int64, days: Int64 = 0) -> Timestamp { t0.adding(seconds: days * 86_400 + minutes * 60) }
/// The `--now` of every report in these tests.
let reportNow = at(minutes: 120)
let reportNowText = reportNow.rfc3339

let quietLogger: Logger = {
    var logger = Logger(label: "freeze-relay-tests")
    logger.logLevel = .critical
    return logger
}()

func id(_ n: Int) -> UUID { TestValues.uuid(n) }

let alpha = try! BankID("alpha")
let beta = try! BankID("beta")
let gamma = try! BankID("gamma")
let alphaCode = "125"
let betaCode = "601"
let gammaCode = "722"
let unknownCode = "999"

/// Alpha, beta and gamma, with the standard SLA (urgent: acknowledge 5 min, freeze 30 min;
/// escalate again 15 and 60 min after a missed deadline).
let fixturePolicy: RelayPolicy = {
    func bank(_ id: BankID, _ code: String) -> BankProfile {
        BankProfile(
            id: id, name: "\(id.rawValue.capitalized) Bank", ibanBankCodes: ["KZ\(code)"],
            escalationContact: Contact(name: "\(id.rawValue) fraud desk", email: "fraud@\(id.rawValue).example"))
    }
    let table = try! RoutingTable(banks: [bank(alpha, alphaCode), bank(beta, betaCode), bank(gamma, gammaCode)])
    return RelayPolicy(routing: table, sla: .standard, chain: ChainLimits(), topics: try! TopicNames())
}()

/// The cases of the fixture ledger and what each shows.
enum Cases {
    /// alpha acknowledges and freezes in time.
    static let frozen = "CASE-FROZEN"
    /// gamma misses the acknowledge deadline (escalated), then answers: the escalation is resolved.
    static let resolved = "CASE-RESOLVED"
    /// alpha reports the money moved on: a child request at beta (frozen), a crypto exit, a join.
    static let chain = "CASE-CHAIN"
    /// beta never answers: both deadlines missed, escalated to level 2, level 3 due by `reportNow`.
    static let late = "CASE-LATE"
    /// No bank takes the account's bank code.
    static let unroutable = "CASE-UNROUTABLE"
    /// Closed long ago: gamma rejected (an open `rejected` escalation goes with it).
    static let oldRejected = "CASE-OLD-REJECTED"
    /// Closed long ago: police cancelled.
    static let oldCancelled = "CASE-OLD-CANCELLED"
    /// Old but still open: alpha acknowledged and never froze.
    static let oldOpen = "CASE-OLD-OPEN"
    /// Closed yesterday: account not found.
    static let recentClosed = "CASE-RECENT-CLOSED"

    /// Newest first, as `cases` lists them.
    static let all = [unroutable, late, chain, frozen, resolved, recentClosed, oldCancelled, oldOpen, oldRejected]
}

/// Request ids of the fixture (the chain's child id is derived by the relay).
enum Requests {
    static let frozen = id(1), late = id(2), resolved = id(3), chainRoot = id(4), unroutable = id(5)
    static let oldRejected = id(6), oldCancelled = id(7), recentClosed = id(8), oldOpen = id(9)
    static let chainChild = DeterministicIDs.childRequestID(parent: chainRoot, transferReference: "T1")
}

/// A ledger in its own temporary directory, filled by driving the real relay engine the way
/// the daemon does: read the context, decide, apply the effects and their outbox messages
/// in one write transaction.
final class FixtureLedger {
    let directory: URL
    var path: String { directory.appendingPathComponent("ledger.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("operator-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledger = try Ledger.open(
            at: directory.appendingPathComponent("ledger.sqlite").path,
            configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        try FixtureStory.tell(fixtureDriver(ledger))
    }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func reader() throws -> LedgerReader { try LedgerReader.open(at: path) }
}

/// What happens in the fixture, in time order.
enum FixtureStory {
    static func tell(_ relay: LedgerRelayDriver) throws {
        // Forty to one days before: cases that are closed, or old and still open.
        try relay.receive(
            request(Requests.oldRejected, Cases.oldRejected, bank: gammaCode, account: 6, at: at(minutes: 0, days: -40))
        )
        try relay.answer(
            Requests.oldRejected, .rejected, from: gamma, reason: "no legal basis attached",
            at: at(minutes: 10, days: -40))
        try relay.receive(
            request(Requests.oldOpen, Cases.oldOpen, bank: alphaCode, account: 9, at: at(minutes: 1, days: -40)))
        try relay.answer(Requests.oldOpen, .acknowledged, from: alpha, at: at(minutes: 3, days: -40))
        try relay.receive(
            request(
                Requests.oldCancelled, Cases.oldCancelled, bank: betaCode, account: 7, at: at(minutes: 0, days: -35)))
        try relay.cancel(Requests.oldCancelled, caseID: Cases.oldCancelled, at: at(minutes: 3, days: -35))
        try relay.receive(
            request(
                Requests.recentClosed, Cases.recentClosed, bank: alphaCode, account: 8, at: at(minutes: 0, days: -1)))
        try relay.answer(Requests.recentClosed, .accountNotFound, from: alpha, at: at(minutes: 5, days: -1))
        // The old open case's freeze deadline fires, with every level of the ladder.
        try relay.fireAllDue(at: at(minutes: 10, days: -1))

        // Today.
        try relay.receive(request(Requests.frozen, Cases.frozen, bank: alphaCode, account: 1, at: t0))
        try relay.receive(request(Requests.resolved, Cases.resolved, bank: gammaCode, account: 3, at: t0))
        try relay.receive(
            request(
                Requests.chainRoot, Cases.chain, bank: alphaCode, account: 4, amount: "900000.00", at: at(minutes: 2)))
        try relay.answer(Requests.frozen, .acknowledged, from: alpha, at: at(minutes: 2))
        try relay.receive(request(Requests.late, Cases.late, bank: betaCode, account: 2, at: at(minutes: 5)))
        try relay.fireAllDue(at: at(minutes: 6))  // gamma's acknowledge deadline (09:05) is missed
        try relay.answer(Requests.frozen, .frozen, from: alpha, frozen: "250000.00", at: at(minutes: 10))
        let chainRootIBAN = kzIBAN(bank: alphaCode, account: 4)
        try relay.answer(
            Requests.chainRoot, .fundsMoved, from: alpha,
            transfers: [
                OnwardTransfer(
                    destination: .iban(IBANDestination(iban: kzIBAN(bank: betaCode, account: 41))),
                    amount: kzt("400000.00"),
                    occurredAt: at(minutes: 1), reference: "T1"),
                OnwardTransfer(
                    destination: .cryptoWallet(
                        CryptoWalletDestination(network: "TRON", address: "TXwallet1", exchange: "Binance")),
                    amount: kzt("300000.00"), occurredAt: at(minutes: 1), reference: "T2"),
                OnwardTransfer(
                    destination: .iban(IBANDestination(iban: chainRootIBAN)), amount: kzt("100000.00"),
                    occurredAt: at(minutes: 1), reference: "T3"),
            ], at: at(minutes: 15))
        try relay.answer(Requests.resolved, .acknowledged, from: gamma, at: at(minutes: 20))  // resolves ack_overdue
        try relay.answer(Requests.chainChild, .frozen, from: beta, frozen: "400000.00", at: at(minutes: 20))
        try relay.answer(Requests.resolved, .frozen, from: gamma, frozen: "250000.00", at: at(minutes: 25))
        try relay.receive(
            request(Requests.unroutable, Cases.unroutable, bank: unknownCode, account: 5, at: at(minutes: 30)))
        // beta's deadlines for the late case: acknowledge levels 1 and 2, freeze levels 1 and 2.
        try relay.fireAllDue(at: at(minutes: 60))
    }

    static func request(
        _ requestID: UUID, _ caseID: String, bank code: String, account: Int, amount: String = "250000.00",
        at time: Timestamp
    ) -> FreezeRequest {
        FreezeRequest(
            id: UUID(), createdAt: time, requestID: requestID, caseID: caseID, issuedAt: time, priority: .urgent,
            issuer: Issuer(agency: "Almaty City Police", unit: "Cybercrime", officerID: "OF-1001"),
            legalBasis: "Decision 12-345 of the investigator",
            account: TargetAccount(iban: kzIBAN(bank: code, account: account), holderName: "Test Holder"),
            amount: kzt(amount),
            fraudTransaction: FraudTransaction(occurredAt: time.adding(seconds: -3600), reference: "TX-\(caseID)"))
    }
}

/// A driver of the engine under `policy` that queues what the daemon's own outbox encoding would.
func fixtureDriver(_ ledger: Ledger, policy: RelayPolicy = fixturePolicy) -> LedgerRelayDriver {
    LedgerRelayDriver(ledger: ledger, engine: RelayEngine(policy: policy)) { effects, cause, now in
        try OutboxEncoding.messages(for: effects, refusedRecord: nil, policy: policy, cause: cause, now: now)
    }
}

/// The story's inputs, written by what they say rather than as whole events.
extension LedgerRelayDriver {
    func answer(
        _ requestID: UUID, _ status: BankResponseStatus, from bank: BankID, frozen: String? = nil,
        reason: String? = nil, transfers: [OnwardTransfer] = [], at now: Timestamp
    ) throws {
        try answer(
            BankResponse(
                id: UUID(), createdAt: now, responseID: UUID().uuidString, requestID: requestID, status: status,
                frozenAmount: frozen.map(kzt), reason: reason, respondedAt: now, holdUntil: nil,
                onwardTransfers: transfers),
            from: bank, at: now)
    }

    func cancel(_ requestID: UUID, caseID: String, at now: Timestamp) throws {
        try cancel(
            FreezeCancel(
                id: UUID(), createdAt: now, requestID: requestID, reason: "victim recovered the money", issuedAt: now,
                issuer: Issuer(agency: "Almaty City Police", officerID: "OF-1001"), caseID: caseID),
            at: now)
    }
}
