import Contracts
import Foundation
import Ledger
import Relay

extension RelayMaintenance {
    /// Applies an operator's order in one ledger transaction. Release and refuse: each named
    /// request that is held is released (routed as if it had just arrived) or refused. Close: each
    /// named open escalation is closed. State, audit rows (naming the operator and the reason),
    /// closed escalations and events (queued in the outbox) are written together. What is not
    /// held, not open or unknown is reported and left alone, so an order applied twice changes
    /// nothing the second time. `sequence`: the order's number in the ledger's `operator_orders`
    /// when the daemon carries out an order left there; its outcome is recorded in the same
    /// transaction.
    public static func carryOut(
        _ order: OperatorOrder, sequence: Int64? = nil, ledger: Ledger, policy: RelayPolicy,
        clock: any RelayClock
    ) throws -> [OperatorOrderOutcome] {
        let engine = RelayEngine(policy: policy)
        let now = clock.now()
        return try ledger.write { tx in
            var targets: [UUID]
            switch order.selection {
            case .ids(let ids):
                var seen: Set<UUID> = []
                targets = ids.filter { seen.insert($0).inserted }
            case .allHeld(let agency):
                targets = try tx.heldRequests().filter { agency == nil || $0.request.issuer.agency == agency }.map(
                    \.requestID)
            }
            var outcomes: [OperatorOrderOutcome] = []
            for id in targets {
                let cause = Cause.command(
                    order.action.rawValue, nonce: "\(CanonicalUUID.string(order.orderID)):\(CanonicalUUID.string(id))")
                let (effects, outcome) =
                    order.action == .closeEscalation
                    ? try closing(id, engine: engine, decision: order.decision, cause: cause, tx: tx, now: now)
                    : try deciding(
                        id, action: order.action, engine: engine, decision: order.decision, cause: cause, tx: tx,
                        now: now)
                if outcome.decided {
                    try tx.commit(effects, cause: cause, policy: engine.policy, at: now)
                }
                outcomes.append(outcome)
            }
            if let sequence { try tx.finishOperatorOrder(sequence, outcomes: outcomes, error: nil, at: now) }
            return outcomes
        }
    }

    /// Release or refuse one held request.
    private static func deciding(
        _ id: UUID, action: OperatorOrder.Action, engine: RelayEngine, decision: OperatorDecision, cause: Cause,
        tx: borrowing RelayTransaction, now: Timestamp
    ) throws -> (Effects, OperatorOrderOutcome) {
        guard let record = try tx.request(id) else {
            return (Effects(), OperatorOrderOutcome(id: id, caseID: nil, outcome: .unknown, bankID: nil, state: nil))
        }
        let context = RelayEngine.RequestContext(
            record: record, openEscalations: try tx.openEscalations(of: id),
            pendingJudgement: try tx.pendingJudgement(of: id))
        let caseContext = try tx.caseContext(record.caseID)
        let effects =
            action == .release
            ? engine.release(context, case: caseContext, decision: decision, cause: cause, now: now)
            : engine.refuseHeld(context, case: caseContext, decision: decision, cause: cause, now: now)
        let after = effects.requests.first ?? record
        return (
            effects,
            OperatorOrderOutcome(
                id: id, caseID: record.caseID, outcome: effects.outcome, bankID: after.bankID?.rawValue,
                state: after.state.rawValue)
        )
    }

    /// Close one escalation.
    private static func closing(
        _ id: UUID, engine: RelayEngine, decision: OperatorDecision, cause: Cause, tx: borrowing RelayTransaction,
        now: Timestamp
    ) throws -> (Effects, OperatorOrderOutcome) {
        let stored = try tx.escalation(id)
        let effects = engine.closeEscalation(
            stored?.record, isOpen: stored?.resolvedAt == nil, decision: decision, cause: cause, now: now)
        return (
            effects,
            OperatorOrderOutcome(
                id: id, caseID: stored?.record.caseID, outcome: effects.outcome,
                bankID: stored?.record.bankID?.rawValue, state: stored?.record.kind.rawValue)
        )
    }
}

/// What the daemon did with one order left in the ledger.
public struct CarriedOutOperatorOrder: Sendable, Hashable {
    public var sequence: Int64
    /// The order's action; nil when the stored order could not be read.
    public var action: OperatorOrder.Action?
    public var outcomes: [OperatorOrderOutcome]
    /// Why it was not carried out (a stored order that is not one); nil when it was.
    public var error: String?
}

extension RelayMaintenance {
    /// Carries out the orders operators left in the ledger while the daemon runs, oldest first,
    /// each in one transaction with its outcome. A stored row that is not an order is answered
    /// with why and changes nothing else.
    public static func carryOutOperatorOrders(ledger: Ledger, policy: RelayPolicy, clock: any RelayClock) throws
        -> [CarriedOutOperatorOrder]
    {
        try ledger.pendingOperatorOrders().map { stored in
            var error: String
            switch stored.order {
            case .success(let order):
                do {
                    let outcomes = try carryOut(
                        order, sequence: stored.sequence, ledger: ledger, policy: policy, clock: clock)
                    return CarriedOutOperatorOrder(sequence: stored.sequence, action: order.action, outcomes: outcomes)
                } catch let failure {
                    // The relay's own failure on a decision costs that order, not the daemon; a
                    // ledger that cannot be written stops it (the order stays for the next start).
                    guard let relayFailure = IntakeProcessor.internalFailure(failure) else { throw failure }
                    error = "the relay failed on this order and changed nothing: \(relayFailure); please report this"
                }
            case .failure(let problem):
                error = "the stored order cannot be read: \(problem)"
            }
            try ledger.write { tx in
                try tx.finishOperatorOrder(stored.sequence, outcomes: [], error: error, at: clock.now())
            }
            return CarriedOutOperatorOrder(
                sequence: stored.sequence, action: try? stored.order.get().action, outcomes: [], error: error)
        }
    }
}
