import Contracts
import Foundation
import Relay

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

    static func kzt(_ value: String) -> Money { try! Money(value: value, currency: "KZT") }

    /// A valid KZ IBAN at `bankCode` (3 digits) for a 13-character account number.
    static func iban(_ bankCode: String, _ account: String) -> IBAN {
        let bban = bankCode + String(repeating: "0", count: 13 - account.count) + account
        let digits = (bban + "KZ00").map { character -> String in
            if let digit = character.wholeNumberValue { return String(digit) }
            return String(Int(character.asciiValue!) - 55)
        }.joined()
        var remainder = 0
        for digit in digits { remainder = (remainder * 10 + digit.wholeNumberValue!) % 97 }
        let check = 98 - remainder
        return try! IBAN("KZ" + (check < 10 ? "0" : "") + String(check) + bban)
    }

    static let issuer = Issuer(agency: "Almaty City Police Department", unit: "Cyber", officerID: "A-1001")

    static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!
    }

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
        OutboxMessage(
            eventID: outgoing.event.id, eventType: outgoing.event.type.rawValue, topic: outgoing.topic,
            key: Array(outgoing.key.utf8), payload: try EventEncoder.encode(outgoing.event),
            headers: MessageHeaders.headers(for: outgoing.event, causationID: outgoing.causationID).map {
                ($0.name, $0.value)
            })
    }
}

/// Drives the relay engine against a real ledger the way the runtime does: inside one write
/// transaction it reads the context, decides, applies the effects with their outbox messages
/// and records the consumed position.
final class RelayDriver {
    let ledger: Ledger
    let engine: RelayEngine
    private var offset: Int64 = 0
    /// Every request record the engine produced, latest version per id.
    private(set) var written: [UUID: RequestRecord] = [:]
    /// Every edge the engine produced.
    private(set) var edges: [ChainEdge] = []
    /// Every audit entry the engine produced, in order.
    private(set) var audit: [AuditEntry] = []

    /// Drop events the contracts' encoder refuses instead of failing the decision. Only for
    /// tests that must get past a known engine bug: a hold-expiry warning's `request_status`
    /// (status `hold_expiring`) carries an escalation summary, which the encoder refuses.
    let dropUnencodableEvents: Bool
    /// Events dropped under `dropUnencodableEvents`.
    private(set) var dropped: [OutgoingEvent] = []

    init(ledger: Ledger, engine: RelayEngine = Fixture.engine, dropUnencodableEvents: Bool = false) {
        self.ledger = ledger
        self.engine = engine
        self.dropUnencodableEvents = dropUnencodableEvents
    }

    private func outbox(_ effects: Effects) throws -> [OutboxMessage] {
        guard dropUnencodableEvents else { return try Fixture.outbox(effects) }
        return effects.events.compactMap { outgoing in
            if let message = try? Fixture.message(outgoing) { return message }
            dropped.append(outgoing)
            return nil
        }
    }

    private func nextCause(topic: String, eventID: UUID) -> Cause {
        offset += 1
        return .record(topic: topic, partition: 0, offset: offset, eventID: eventID)
    }

    private func remember(_ effects: Effects) {
        for record in effects.requests { written[record.requestID] = record }
        edges += effects.edges
        audit += effects.audit
    }

    @discardableResult
    func receive(_ request: FreezeRequest, at now: Timestamp) throws -> Effects {
        let cause = nextCause(topic: "freeze.requests", eventID: request.id)
        let effects = try ledger.write { tx in
            let context = RelayEngine.RequestContext(
                record: try tx.request(request.requestID),
                openEscalations: try tx.openEscalations(of: request.requestID))
            let effects = engine.receive(
                request, fingerprint: ContentFingerprint(request), context: context,
                case: try tx.caseContext(request.caseID), cause: cause, now: now)
            try tx.apply(effects, outbox: try outbox(effects), at: now)
            try tx.recordPosition(topic: "freeze.requests", partition: 0, nextOffset: offset + 1, at: now)
            return effects
        }
        remember(effects)
        return effects
    }

    @discardableResult
    func answer(_ response: BankResponse, from bank: BankID, at now: Timestamp) throws -> Effects {
        let topic = "freeze.bank.\(bank.rawValue).responses"
        let cause = nextCause(topic: topic, eventID: response.id)
        let effects = try ledger.write { tx in
            let record = try tx.request(response.requestID)
            let context = RelayEngine.RequestContext(
                record: record, openEscalations: try tx.openEscalations(of: response.requestID))
            let effects = engine.answer(
                response, fingerprint: ContentFingerprint(response), from: bank, context: context,
                previous: try tx.response(bank: bank, responseID: response.responseID),
                case: try tx.caseContext(record?.caseID ?? ""), cause: cause, now: now)
            try tx.apply(effects, outbox: try outbox(effects), at: now)
            try tx.recordPosition(topic: topic, partition: 0, nextOffset: offset + 1, at: now)
            return effects
        }
        remember(effects)
        return effects
    }

    @discardableResult
    func cancel(_ cancel: FreezeCancel, at now: Timestamp) throws -> Effects {
        let cause = nextCause(topic: "freeze.requests", eventID: cancel.id)
        let effects = try ledger.write { tx in
            let record = try tx.request(cancel.requestID)
            let context = RelayEngine.RequestContext(
                record: record, openEscalations: try tx.openEscalations(of: cancel.requestID))
            let effects = engine.cancel(
                cancel, context: context, case: try tx.caseContext(record?.caseID ?? ""), cause: cause, now: now)
            try tx.apply(effects, outbox: try outbox(effects), at: now)
            return effects
        }
        remember(effects)
        return effects
    }

    /// Fires every timer due at `now`, each marked fired in the same transaction.
    @discardableResult
    func fireDue(at now: Timestamp) throws -> [Effects] {
        let all = try ledger.write { tx in
            var all: [Effects] = []
            for deadline in try tx.dueDeadlines(at: now, limit: 100) {
                let context = RelayEngine.RequestContext(
                    record: try tx.request(deadline.requestID),
                    openEscalations: try tx.openEscalations(of: deadline.requestID))
                let effects = engine.fire(deadline, context: context, now: now)
                try tx.apply(effects, outbox: try outbox(effects), at: now)
                try tx.markFired(deadline, at: now)
                all.append(effects)
            }
            return all
        }
        all.forEach(remember)
        return all
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
