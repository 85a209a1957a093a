import Contracts
import Foundation

extension RelayEngine {
    /// A freeze request from police: route it, hold it, or recognise it as a duplicate.
    ///
    /// Same request id and same content: a duplicate, nothing happens again. Same id, different
    /// content: refused (dead-lettered as a conflicting duplicate) and police are told. A new
    /// request over an intake quota (judged on `quota`, what the ledger counted; nil: not
    /// limited) is held; one within every quota is charged to its issuer.
    public func receive(
        _ request: FreezeRequest, fingerprint: ContentFingerprint, context: RequestContext,
        case caseContext: CaseContext,
        quota: QuotaUsage? = nil, cause: Cause, now: Timestamp
    ) -> Effects {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        if let existing = context.record {
            var effects = Effects()
            if existing.fingerprint == fingerprint {
                effects.outcome = .duplicate
                return effects
            }
            let detail =
                "request id \(CanonicalUUID.string(request.requestID)) was already received (case \(existing.caseID), \(existing.state.rawValue)) with different content; this version was refused, the original stands"
            effects.refusal = Refusal(code: .conflictingDuplicate, path: "request_id", message: detail)
            effects.events = [
                factory.status(
                    requestID: request.requestID, caseID: request.caseID, chain: request.chain, .duplicateConflict,
                    detail: detail)
            ]
            effects.audit = [
                factory.audit(
                    existing, from: existing.state, to: existing.state,
                    "conflicting re-send refused (fingerprint \(fingerprint.hex.prefix(12)) vs \(existing.fingerprint.hex.prefix(12)))"
                )
            ]
            effects.outcome = .conflictingDuplicate
            return effects
        }
        let totals = runningTotals(caseContext)
        if let quota, let breach = policy.quotas.breach(quota) {
            return hold(request, fingerprint: fingerprint, breach: breach, factory: factory, totals: totals)
        }
        var (_, effects) = route(request, fingerprint: fingerprint, receivedAt: now, factory: factory, totals: totals)
        if let quota { effects.quotaCharges = [QuotaCharge(issuerKey: quota.issuer.key, at: now)] }
        return effects
    }

    /// A cancel from police: stop the clocks, tell the bank, report it. Cancelling an unknown
    /// or finished request is answered with a `cancel_refused` status, not silence.
    public func cancel(
        _ cancel: FreezeCancel, context: RequestContext, case caseContext: CaseContext, cause: Cause, now: Timestamp
    ) -> Effects {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        var effects = Effects()
        guard var record = context.record else {
            let message = "cancel for request \(CanonicalUUID.string(cancel.requestID)), which the relay never received"
            effects.refusal = Refusal(code: .unknownRequest, path: "request_id", message: message)
            if let caseID = cancel.caseID {
                effects.events = [
                    factory.status(requestID: cancel.requestID, caseID: caseID, .cancelRefused, detail: message)
                ]
            }
            effects.audit = [
                factory.audit(nil, from: nil, to: nil, message, requestID: cancel.requestID, caseID: cancel.caseID)
            ]
            effects.outcome = .cancelUnknown
            return effects
        }
        let old = record.state
        if old == .cancelled {
            effects.outcome = .duplicate
            return effects
        }
        if old.isFinal {
            let detail =
                "request is already \(old.rawValue); nothing to cancel"
                + (old == .fundsMoved ? " (cancel its follow-up requests individually)" : "")
            effects.events = [factory.status(record, .cancelRefused, detail: detail)]
            effects.audit = [factory.audit(record, from: old, to: old, "cancel refused: \(detail)")]
            effects.outcome = .cancelRefused
            return effects
        }
        record.state = .cancelled
        record.closedAt = now
        record.reason = cancel.reason
        effects.requests = [record]
        if old.awaitsRouting { effects.settledJudgements = [record.requestID] }
        effects.cancelDeadlines = [DeadlineCancellation(requestID: record.requestID, kinds: Set(DeadlineKind.allCases))]
        // Security escalations (a forged order or answer about this request, an answer from the
        // wrong bank) stay open: operators close them once explained, not the next cancel.
        for escalation in context.openEscalations where !escalation.kind.isSecurityEvent {
            effects.resolved.append(
                EscalationClosure(escalationID: escalation.escalationID, resolution: .cancelled, resolvedAt: now))
            effects.events.append(factory.resolved(escalation, .cancelled, detail: "request cancelled by police"))
        }
        if let bank = record.bankID, !old.awaitsRouting {
            effects.events.append(factory.routedCancel(record, bank: bank, cancel: cancel))
        }
        let told =
            old.awaitsRouting
            ? "it had not been routed to a bank"
            : "bank \(record.bankID?.rawValue ?? "?") told to cancel" + (old.holdsFunds ? " and release the hold" : "")
        effects.events.append(
            factory.status(
                record, .cancelled, detail: "cancelled: \(cancel.reason); \(told)",
                totals: totals(caseContext, applying: [record])))
        effects.audit = [factory.audit(record, from: old, to: .cancelled, "cancelled by police; \(told)")]
        effects.outcome = .cancelled
        return effects
    }
}
