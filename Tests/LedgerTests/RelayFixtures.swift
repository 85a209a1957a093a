import Contracts
import Foundation
import Relay
import RelayTestSupport

@testable import Ledger

/// Banks, accounts, a policy and event builders for relay-store tests. Every time is built on
/// whole milliseconds, because the ledger stores times as milliseconds.
enum Fixture {
    static let halyk = try! BankID("halyk")
    static let kaspi = try! BankID("kaspi")
    static let jusan = try! BankID("jusan")
    static let dormant = try! BankID("dormant")

    static let routing = try! RoutingTable(banks: [
        BankProfile(id: halyk, name: "Halyk", ibanBankCodes: ["KZ601"]),
        BankProfile(id: kaspi, name: "Kaspi", ibanBankCodes: ["KZ722"]),
        BankProfile(id: jusan, name: "Jusan", ibanBankCodes: ["KZ998"]),
        BankProfile(id: dormant, name: "Dormant", ibanBankCodes: ["KZ555"], enabled: false),
    ])

    /// Follows one hop only, at most two children per answer, nothing under 1000 KZT.
    static let policy = RelayPolicy(
        routing: routing, sla: .standard,
        chain: ChainLimits(maxHops: 1, maxChildrenPerAnswer: 2, minimumAmount: kzt("1000")),
        topics: try! TopicNames())

    static let engine = RelayEngine(policy: policy)

    /// 2024-05-01T10:00:00Z plus `seconds` and `milliseconds`.
    static func time(_ seconds: Int64, ms: Int32 = 0) -> Timestamp {
        Timestamp(secondsSinceEpoch: 1_714_557_600 + seconds, nanoseconds: ms * 1_000_000)
    }

    static func kzt(_ value: String) -> Money { TestValues.kzt(value) }

    /// A valid KZ IBAN at `bankCode` (3 digits) for an account number of up to 13 digits.
    static func iban(_ bankCode: String, _ account: String) -> IBAN {
        TestValues.kazakhIBAN(bankCode: bankCode, account: Int(account)!)
    }

    static let issuer = Issuer(agency: "Almaty City Police Department", unit: "Cyber", officerID: "A-1001")

    static func uuid(_ n: Int) -> UUID { TestValues.uuid(n) }

    static func request(
        _ n: Int, caseID: String, iban: IBAN, amount: String, priority: Priority = .urgent, at: Timestamp
    ) -> FreezeRequest {
        FreezeRequest(
            id: uuid(10_000 + n), createdAt: at, requestID: uuid(n), caseID: caseID, issuedAt: at, priority: priority,
            issuer: issuer, legalBasis: "Decision 42/2024", account: TargetAccount(iban: iban, holderName: "A. B."),
            amount: kzt(amount),
            fraudTransaction: FraudTransaction(occurredAt: at.adding(seconds: -600), reference: "FRAUD-\(n)"),
            requestedHoldHours: 72)
    }

    static func response(
        _ n: Int, to requestID: UUID, _ status: BankResponseStatus, at: Timestamp, frozen: Money? = nil,
        reason: String? = nil, holdUntil: Timestamp? = nil, transfers: [OnwardTransfer] = []
    ) -> BankResponse {
        BankResponse(
            id: uuid(20_000 + n), createdAt: at, responseID: "resp-\(n)", requestID: requestID, status: status,
            frozenAmount: frozen, reason: reason, respondedAt: at, holdUntil: holdUntil, onwardTransfers: transfers)
    }

    static func cancel(_ n: Int, requestID: UUID, caseID: String, at: Timestamp) -> FreezeCancel {
        FreezeCancel(
            id: uuid(30_000 + n), createdAt: at, requestID: requestID, reason: "victim recovered the money",
            issuedAt: at, issuer: issuer, caseID: caseID)
    }

    static func toIBAN(_ iban: IBAN, _ amount: String, _ reference: String, at: Timestamp) -> OnwardTransfer {
        OnwardTransfer(
            destination: .iban(IBANDestination(iban: iban)), amount: kzt(amount), occurredAt: at, reference: reference)
    }

    static func outbox(_ effects: Effects) throws -> [OutboxMessage] {
        try effects.events.map(message)
    }

    static func message(_ outgoing: OutgoingEvent) throws -> OutboxMessage {
        try LedgerRelayDriver.message(outgoing)
    }
}

extension LedgerRelayDriver {
    /// A driver of the fixture's engine (one hop, two children per answer).
    convenience init(ledger: Ledger) {
        self.init(ledger: ledger, engine: Fixture.engine)
    }
}

/// A ledger with the relay schema in a fresh temporary directory.
func withRelayLedger<Result>(_ body: (Ledger, TemporaryDirectory) async throws -> Result) async throws -> Result {
    try await withTemporaryDirectory { dir in
        let ledger = try Ledger.open(
            at: dir.file("relay.sqlite"), configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        return try await body(ledger, dir)
    }
}

extension Ledger {
    /// Runs `body` on the writer connection, for checks no typed method offers.
    func sql<Value>(_ body: (borrowing Database) throws -> Value) throws -> Value {
        try transaction(body)
    }
}

extension Row {
    func string(_ name: String) throws -> String { try self[name] }
    func int(_ name: String) throws -> Int64 { try self[name] }
}

extension Ledger {
    /// `write` for bodies that only check: the closure's type is fixed, so `#expect(try …)`
    /// inside it needs no other `try` to make it throwing.
    func check(_ body: (borrowing RelayTransaction) throws -> Void) throws {
        try write(body)
    }
}
