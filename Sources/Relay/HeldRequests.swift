import Contracts
import Foundation

/// Who took an operator decision, and why: both go into the audit trail and the events.
public struct OperatorDecision: Sendable, Hashable {
    /// The operator's login or staff id (not a person's name).
    public var operatorID: String
    public var reason: String

    public init(operatorID: String, reason: String) {
        (self.operatorID, self.reason) = (operatorID, reason)
    }

    var described: String {
        "operator \"\(ContractText.fittedName(operatorID, limit: 64))\": \(ContractText.fittedName(reason, limit: 300))"
    }
}

extension RelayEngine {
    /// A police request over an intake quota: kept as `held`, not routed, no clocks started.
    /// Police are told it is held and why; operators get a `quota_exceeded` escalation and
    /// release or refuse it.
    func hold(
        _ request: FreezeRequest, fingerprint: ContentFingerprint, breach: QuotaBreach, factory: EventFactory,
        totals: (RequestRecord) -> CaseTotals?
    ) -> Effects {
        var record = RequestRecord(
            request: request, fingerprint: fingerprint, state: .held, bankID: nil, receivedAt: factory.now)
        record.reason = "held by quota \(breach.limit.rawValue): \(breach.detail)"
        let escalation = EscalationRecord(
            escalationID: EscalationRecord.id(requestID: record.requestID, kind: .quotaExceeded), kind: .quotaExceeded,
            level: 1,
            requestID: record.requestID, caseID: record.caseID, bankID: nil, raisedAt: factory.now,
            levelRaisedAt: factory.now,
            deadline: nil,
            detail: "request held, not routed: over quota \(breach.limit.rawValue): \(breach.detail). "
                + "Release it (freeze-relay release) to route it, or refuse it (freeze-relay refuse)")
        var effects = Effects()
        effects.requests = [record]
        effects.escalations = [escalation]
        effects.events = [
            factory.status(
                record, .held,
                detail: "held, not routed: over quota \(breach.limit.rawValue) (\(breach.detail)); "
                    + "an operator will release it to its bank or refuse it", totals: totals(record)),
            factory.escalation(escalation, overdueSeconds: nil),
        ]
        effects.audit = [
            factory.audit(record, from: nil, to: .held, "held by quota \(breach.limit.rawValue): \(breach.detail)")
        ]
        effects.outcome = .held
        return effects
    }

    /// An operator releases a held request: it is routed as if it had just arrived, carrying the
    /// police order's judgement kept while it was held (or kept as unroutable, judgement and all,
    /// when no bank takes its account), and its `quota_exceeded` escalation closes.
    /// Anything not held is left alone (`not_held`), so releasing twice is harmless.
    public func release(
        _ context: RequestContext, case caseContext: CaseContext, decision: OperatorDecision, cause: Cause,
        now: Timestamp
    ) -> Effects {
        guard var record = context.record, record.state == .held else { return Self.notHeld() }
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        var effects = routeOrKeep(&record, factory: factory, totals: runningTotals(caseContext), previous: .held)
        // Routed: the bank gets the police order and what the relay judged of it, as if routed at
        // once. Kept as unroutable: the judgement stays in the ledger for the retry.
        if record.state == .routed { effects.routeKept(context.pendingJudgement, for: record.requestID) }
        for index in effects.audit.indices {
            effects.audit[index].detail += "; released from hold by \(decision.described)"
        }
        closeQuotaEscalation(&effects, context: context, factory: factory, detail: "released by \(decision.described)")
        effects.outcome = effects.outcome == .routed ? .released : .releasedUnroutable
        return effects
    }

    /// An operator refuses a held request: it becomes `refused` (final), police are told, no
    /// bank ever hears of it, and its `quota_exceeded` escalation closes.
    public func refuseHeld(
        _ context: RequestContext, case caseContext: CaseContext, decision: OperatorDecision, cause: Cause,
        now: Timestamp
    ) -> Effects {
        guard var record = context.record, record.state == .held else { return Self.notHeld() }
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        record.state = .refused
        record.closedAt = now
        record.reason = "refused by \(decision.described)"
        var effects = Effects()
        effects.requests = [record]
        effects.events = [
            factory.status(
                record, .refused,
                detail: "refused while held, never routed: \(ContractText.fittedName(decision.reason, limit: 300))",
                totals: totals(caseContext, applying: [record]))
        ]
        effects.audit = [
            factory.audit(record, from: .held, to: .refused, "refused while held by \(decision.described)")
        ]
        closeQuotaEscalation(&effects, context: context, factory: factory, detail: "refused by \(decision.described)")
        effects.settledJudgements.append(record.requestID)
        effects.outcome = .refused
        return effects
    }

    private func closeQuotaEscalation(
        _ effects: inout Effects, context: RequestContext, factory: EventFactory, detail: String
    ) {
        guard let open = context.openEscalation(.quotaExceeded) else { return }
        effects.resolved.append(
            EscalationClosure(escalationID: open.escalationID, resolution: .closed, resolvedAt: factory.now))
        effects.events.append(factory.resolved(open, .closed, detail: detail))
    }

    private static func notHeld() -> Effects {
        var effects = Effects()
        effects.outcome = .notHeld
        return effects
    }
}
