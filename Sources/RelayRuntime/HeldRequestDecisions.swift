import Contracts
import Foundation
import Ledger
import Relay

extension RelayMaintenance {
    /// Applies an operator's order about held requests in one ledger transaction: each named
    /// request that is held is released (routed as if it had just arrived) or refused; its state,
    /// audit rows (naming the operator and the reason), closed escalation and events (queued in
    /// the outbox) are written together. Requests not held are reported and left alone, so an
    /// order applied twice changes nothing the second time. `sequence`: the order's number in the
    /// ledger's `held_orders` when the daemon carries out an order left there; its outcome is
    /// recorded in the same transaction.
    public static func decideHeld(_ order: HeldRequestOrder, sequence: Int64? = nil, ledger: Ledger, policy: RelayPolicy,
                                  clock: any RelayClock) throws -> [HeldRequestOutcome] {
        let engine = RelayEngine(policy: policy)
        let now = clock.now()
        return try ledger.write { tx in
            let targets: [(UUID, RequestRecord?)]
            switch order.selection {
            case .requests(let ids):
                var seen: Set<UUID> = []
                targets = try ids.filter { seen.insert($0).inserted }.map { ($0, try tx.request($0)) }
            case .allHeld(let agency):
                targets = try tx.heldRequests().filter { agency == nil || $0.request.issuer.agency == agency }.map { ($0.requestID, $0) }
            }
            var outcomes: [HeldRequestOutcome] = []
            for (id, record) in targets {
                guard let record else {
                    outcomes.append(HeldRequestOutcome(requestID: id, caseID: nil, outcome: "unknown", bankID: nil, state: nil))
                    continue
                }
                let cause = Cause.command(order.action.rawValue, nonce: "\(CanonicalUUID.string(order.orderID)):\(CanonicalUUID.string(id))")
                let context = RelayEngine.RequestContext(record: record, openEscalations: try tx.openEscalations(of: id),
                                                         pendingJudgement: try tx.pendingJudgement(of: id))
                let caseContext = try tx.caseContext(record.caseID)
                let effects = switch order.action {
                case .release: engine.release(context, case: caseContext, decision: order.decision, cause: cause, now: now)
                case .refuse: engine.refuseHeld(context, case: caseContext, decision: order.decision, cause: cause, now: now)
                }
                if effects.outcome != "not_held" {
                    let outbox = try OutboxEncoding.messages(for: effects, refusedRecord: nil, policy: engine.policy, cause: cause, now: now)
                    try tx.apply(effects, outbox: outbox, at: now)
                }
                let after = effects.requests.first ?? record
                outcomes.append(HeldRequestOutcome(requestID: id, caseID: record.caseID, outcome: effects.outcome,
                                                   bankID: after.bankID?.rawValue, state: after.state.rawValue))
            }
            if let sequence { try tx.finishHeldOrder(sequence, outcomes: outcomes, error: nil, at: now) }
            return outcomes
        }
    }
}

/// What the daemon did with one order left in the ledger.
public struct CarriedOutHeldOrder: Sendable, Hashable {
    public var sequence: Int64
    public var outcomes: [HeldRequestOutcome]
    /// Why it was not carried out (a stored order that is not one); nil when it was.
    public var error: String?
}

extension RelayMaintenance {
    /// Carries out the orders operators left in the ledger while the daemon runs, oldest first,
    /// each in one transaction with its outcome. A stored row that is not an order is answered
    /// with why and changes nothing else.
    public static func carryOutHeldOrders(ledger: Ledger, policy: RelayPolicy, clock: any RelayClock) throws -> [CarriedOutHeldOrder] {
        try ledger.pendingHeldOrders().map { stored in
            var error: String
            switch stored.order {
            case .success(let order):
                do {
                    let outcomes = try decideHeld(order, sequence: stored.sequence, ledger: ledger, policy: policy, clock: clock)
                    return CarriedOutHeldOrder(sequence: stored.sequence, outcomes: outcomes)
                } catch let failure {
                    // The relay's own failure on a decision costs that order, not the daemon; a
                    // ledger that cannot be written stops it (the order stays for the next start).
                    guard let relayFailure = IntakeProcessor.internalFailure(failure) else { throw failure }
                    error = "the relay failed on this order and changed nothing: \(relayFailure); please report this"
                }
            case .failure(let problem):
                error = "the stored order cannot be read: \(problem)"
            }
            try ledger.write { tx in try tx.finishHeldOrder(stored.sequence, outcomes: [], error: error, at: clock.now()) }
            return CarriedOutHeldOrder(sequence: stored.sequence, outcomes: [], error: error)
        }
    }
}
