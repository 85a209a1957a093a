import Contracts
import Foundation
import Ledger
import Relay

/// An operator's order about held requests: release them (route them) or refuse them.
public struct HeldRequestOrder: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case release
        case refuse
    }

    /// Which held requests: the listed ids, or every held request (optionally only those
    /// naming one agency).
    public enum Selection: Sendable, Hashable, Codable {
        case requests([UUID])
        case allHeld(agency: String?)
    }

    /// Names the order: ids derived from it are the same if it is applied again after a crash.
    public var orderID: UUID
    public var action: Action
    public var selection: Selection
    public var decision: OperatorDecision
    public var requestedAt: Timestamp

    public init(orderID: UUID = UUID(), action: Action, selection: Selection, decision: OperatorDecision, requestedAt: Timestamp) {
        (self.orderID, self.action, self.selection, self.decision, self.requestedAt) = (orderID, action, selection, decision, requestedAt)
    }
}

extension OperatorDecision: Codable {
    enum CodingKeys: String, CodingKey { case operatorID = "operator", reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(operatorID: try container.decode(String.self, forKey: .operatorID), reason: try container.decode(String.self, forKey: .reason))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(operatorID, forKey: .operatorID)
        try container.encode(reason, forKey: .reason)
    }
}

/// What an order did to each request it named.
public struct HeldRequestOutcome: Sendable, Hashable, Codable {
    public var requestID: UUID
    public var caseID: String?
    /// `released` (routed), `released_unroutable`, `refused`, or `not_held` / `unknown` when
    /// nothing was done.
    public var outcome: String
    /// The bank it was routed to, when released to one.
    public var bankID: String?
    /// The request's state after the order.
    public var state: String?

    public init(requestID: UUID, caseID: String?, outcome: String, bankID: String?, state: String?) {
        (self.requestID, self.caseID, self.outcome, self.bankID, self.state) = (requestID, caseID, outcome, bankID, state)
    }
}

extension RelayMaintenance {
    /// Applies an operator's order about held requests in one ledger transaction: each named
    /// request that is held is released (routed as if it had just arrived) or refused; its state,
    /// audit rows (naming the operator and the reason), closed escalation and events (queued in
    /// the outbox) are written together. Requests not held are reported and left alone, so an
    /// order applied twice changes nothing the second time.
    public static func decideHeld(_ order: HeldRequestOrder, ledger: Ledger, policy: RelayPolicy, clock: any RelayClock) throws -> [HeldRequestOutcome] {
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
            return outcomes
        }
    }
}
