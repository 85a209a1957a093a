import Contracts
import Foundation
import Ledger
import Relay

/// Drives the relay engine against a real ledger the way the runtime does: inside one write
/// transaction per input it reads the contexts, decides, applies the effects with their outbox
/// messages and records the consumed position. Tests use it to fill ledgers with what the engine
/// really writes, rather than with rows made up by hand.
public final class LedgerRelayDriver {
    /// Turns a decision's effects into the outbox messages written with them.
    public typealias OutboxEncoder = (_ effects: Effects, _ cause: Cause, _ now: Timestamp) throws -> [OutboxMessage]

    public let ledger: Ledger
    public let engine: RelayEngine
    private let encode: OutboxEncoder
    /// One offset counter for every topic: offsets rise on each topic, with gaps, as positions allow.
    private var offset: Int64 = 0
    /// Every request record the engine produced, latest version per id.
    public private(set) var written: [UUID: RequestRecord] = [:]
    /// Every edge the engine produced.
    public private(set) var edges: [ChainEdge] = []
    /// Every audit entry the engine produced, in order.
    public private(set) var audit: [AuditEntry] = []

    /// `encode` defaults to `plainMessages`: each event encoded on its own topic and key, without
    /// the runtime's dead letters or signatures (tests of the runtime pass its own encoding).
    public init(ledger: Ledger, engine: RelayEngine, encode: @escaping OutboxEncoder = LedgerRelayDriver.plainMessages)
    {
        self.ledger = ledger
        self.engine = engine
        self.encode = encode
    }

    /// The outbox messages for `effects`' events, encoded by the contracts' encoder with the
    /// relay's headers.
    public static func plainMessages(_ effects: Effects, cause: Cause, now: Timestamp) throws -> [OutboxMessage] {
        try effects.events.map(message)
    }

    /// One event as an outbox message.
    public static func message(_ outgoing: OutgoingEvent) throws -> OutboxMessage {
        OutboxMessage(outgoing, payload: try EventEncoder.encode(outgoing.event))
    }

    private func nextOffset() -> Int64 {
        offset += 1
        return offset
    }

    private func remember(_ effects: Effects) {
        for record in effects.requests { written[record.requestID] = record }
        edges += effects.edges
        audit += effects.audit
    }

    /// Decides one record read from `topic`, applies what was decided and moves the position past it.
    private func consume(
        topic: String, eventID: UUID, at now: Timestamp,
        _ decide: (borrowing RelayTransaction, Cause) throws -> Effects
    ) throws -> Effects {
        let offset = nextOffset()
        let cause = Cause.record(topic: topic, partition: 0, offset: offset, eventID: eventID)
        let effects = try ledger.write { tx in
            let effects = try decide(tx, cause)
            try tx.apply(effects, outbox: try encode(effects, cause, now), at: now)
            try tx.recordPosition(topic: topic, partition: 0, nextOffset: offset + 1, at: now)
            return effects
        }
        remember(effects)
        return effects
    }

    private static func context(_ requestID: UUID, _ tx: borrowing RelayTransaction) throws
        -> RelayEngine.RequestContext
    {
        RelayEngine.RequestContext(
            record: try tx.request(requestID), openEscalations: try tx.openEscalations(of: requestID))
    }

    /// A police request read from the requests topic, at `now` (by default when it was created).
    @discardableResult
    public func receive(_ request: FreezeRequest, at now: Timestamp? = nil) throws -> Effects {
        let now = now ?? request.createdAt
        return try consume(topic: engine.policy.topics.requests, eventID: request.id, at: now) { tx, cause in
            engine.receive(
                request, fingerprint: ContentFingerprint(request), context: try Self.context(request.requestID, tx),
                case: try tx.caseContext(request.caseID), cause: cause, now: now)
        }
    }

    /// A bank's answer read from that bank's responses topic, at `now` (by default when it was given).
    @discardableResult
    public func answer(_ response: BankResponse, from bank: BankID, at now: Timestamp? = nil) throws -> Effects {
        let now = now ?? response.respondedAt
        let topic = engine.policy.routing.profile(bank)?.responsesTopic ?? engine.policy.topics.bankResponses(bank)
        return try consume(topic: topic, eventID: response.id, at: now) { tx, cause in
            let context = try Self.context(response.requestID, tx)
            return engine.answer(
                response, fingerprint: ContentFingerprint(response), from: bank, context: context,
                previous: try tx.response(bank: bank, responseID: response.responseID),
                case: try tx.caseContext(context.record?.caseID ?? ""), cause: cause, now: now)
        }
    }

    /// A police cancel read from the requests topic, at `now` (by default when it was created).
    @discardableResult
    public func cancel(_ cancel: FreezeCancel, at now: Timestamp? = nil) throws -> Effects {
        let now = now ?? cancel.createdAt
        return try consume(topic: engine.policy.topics.requests, eventID: cancel.id, at: now) { tx, cause in
            let context = try Self.context(cancel.requestID, tx)
            return engine.cancel(
                cancel, context: context, case: try tx.caseContext(context.record?.caseID ?? cancel.caseID ?? ""),
                cause: cause, now: now)
        }
    }

    /// Fires up to `limit` timers due at `now`, earliest first, each marked fired in the same
    /// transaction, as one round of the runtime's scheduler.
    @discardableResult
    public func fireDue(at now: Timestamp, limit: Int = 100) throws -> [Effects] {
        let all = try ledger.write { tx in
            var all: [Effects] = []
            for deadline in try tx.dueDeadlines(at: now, limit: limit) {
                let effects = engine.fire(deadline, context: try Self.context(deadline.requestID, tx), now: now)
                try tx.apply(effects, outbox: try encode(effects, .timer(deadline), now), at: now)
                try tx.markFired(deadline, at: now)
                all.append(effects)
            }
            return all
        }
        all.forEach(remember)
        return all
    }

    /// Fires rounds until nothing is due at `now`, including later levels that firing schedules
    /// already due, as the scheduler catches up after downtime.
    @discardableResult
    public func fireAllDue(at now: Timestamp) throws -> [Effects] {
        var all: [Effects] = []
        while case let round = try fireDue(at: now), !round.isEmpty { all += round }
        return all
    }
}
