import Contracts
import Foundation

extension RelayEngine {
    /// A bank's answer, read from the responses topic of `bank`.
    ///
    /// The topic decides who answered. An answer about a request the relay does not know is
    /// refused as `unknown_request` (a typo or a test system: dead-lettered and audited, no
    /// escalation). An answer about a request that exists but was not routed to that bank is
    /// refused, changes nothing, goes to the dead-letter topic, is audited as a security event
    /// and raises a `foreign_response` escalation.
    public func answer(
        _ response: BankResponse, fingerprint: ContentFingerprint, from bank: BankID, context: RequestContext,
        previous: ResponseSeen?, case caseContext: CaseContext, cause: Cause, now: Timestamp
    ) -> Effects {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        guard let record = context.record else {
            return unknownAnswer(response, from: bank, factory: factory)
        }
        guard !record.state.awaitsRouting, record.bankID == bank else {
            return foreignAnswer(response, from: bank, record: record, factory: factory)
        }
        var effects = Effects()
        if let previous {
            if previous.fingerprint == fingerprint {
                effects.outcome = .duplicate
                return effects
            }
            effects.refusal = Refusal(
                code: .conflictingDuplicate, path: "response_id",
                message:
                    "response_id \(response.responseID) was already used by \(bank) for a different answer; this version was refused"
            )
            effects.audit = [
                factory.audit(record, from: record.state, to: record.state, "conflicting re-use of response_id refused")
            ]
            effects.outcome = .conflictingDuplicate
            return effects
        }
        let seen = ResponseSeen(
            bankID: bank, responseID: response.responseID, requestID: record.requestID, fingerprint: fingerprint)

        var transition = TransitionRules.evaluate(record, answer: response)
        if case .advance(let target) = transition,
            Self.repeats(response, target: target, record: record, case: caseContext)
        {
            transition = .repeated
        }
        switch transition {
        case .repeated:
            effects.responses = [seen]
            effects.outcome = .repeated
        case .ignore(let why):
            effects.responses = [seen]
            effects.audit = [
                factory.audit(
                    record, from: record.state, to: record.state, "\(response.status.rawValue) ignored: \(why)")
            ]
            effects.outcome = .ignored
        case .refuse(let why):
            effects.refusal = Refusal(
                code: .invalidTransition, path: "status",
                message:
                    "\(response.status.rawValue) refused for request \(CanonicalUUID.string(record.requestID)) in state \(record.state.rawValue): \(why)"
            )
            effects.audit = [
                factory.audit(
                    record, from: record.state, to: record.state, "\(response.status.rawValue) refused: \(why)")
            ]
            effects.outcome = .invalidTransition
        case .advance(let target):
            effects = apply(response, moving: record, to: target, context: context, case: caseContext, factory: factory)
            effects.responses.append(seen)
        }
        return effects
    }

    /// An answer that only repeats what the bank already reported: the same state, amount and
    /// hold, and only onward transfers already followed from this request, exactly as reported.
    /// The rules cannot tell (they do not see the case's edges), so an identical funds_moved or
    /// partially_frozen re-sent under a new response id would otherwise be reported again.
    static func repeats(
        _ response: BankResponse, target: RequestState, record: RequestRecord, case caseContext: CaseContext
    ) -> Bool {
        guard target == record.state, !response.onwardTransfers.isEmpty else { return false }
        if target.holdsFunds
            && (record.frozenAmount != response.frozenAmount
                || record.holdUntil != response.holdUntil?.truncatedToMilliseconds)
        {
            return false
        }
        return response.onwardTransfers.allSatisfy { transfer in
            caseContext.edges.contains { $0.fromRequestID == record.requestID && $0.transfer == transfer }
        }
    }

    /// An answer about a request id the relay has never seen (or has purged). Nobody's request is
    /// touched, so it is not a security event: the bank is told through the dead letter, and the
    /// audit keeps a plain line under that id, as for a cancel of an unknown request.
    private func unknownAnswer(_ response: BankResponse, from bank: BankID, factory: EventFactory) -> Effects {
        let message =
            "answer \(response.responseID) on \(bank)'s responses topic is about request \(CanonicalUUID.string(response.requestID)), which the relay does not know; refused, nothing changed"
        var effects = Effects()
        effects.refusal = Refusal(code: .unknownRequest, path: "request_id", message: message)
        effects.audit = [factory.audit(nil, from: nil, to: nil, message, requestID: response.requestID, bankID: bank)]
        effects.outcome = .answerUnknown
        return effects
    }

    /// An answer about a request that exists but is not this bank's: routed to another bank, or
    /// never routed at all (unroutable). Either way the bank holds an id it was never sent, which
    /// only a mix-up of integrations or someone else's traffic explains: a security event.
    private func foreignAnswer(
        _ response: BankResponse, from bank: BankID, record: RequestRecord, factory: EventFactory
    ) -> Effects {
        let whose = record.bankID.map { "which was routed to \($0)" } ?? "which was never routed to any bank"
        let message =
            "answer \(response.responseID) on \(bank)'s responses topic is about request \(CanonicalUUID.string(response.requestID)), \(whose); refused, nothing changed"
        let escalation = EscalationRecord(
            escalationID: factory.cause.derivedID("escalation:foreign_response:\(bank.rawValue)"),
            kind: .foreignResponse, level: 1, requestID: response.requestID, caseID: record.caseID, bankID: bank,
            raisedAt: factory.now, levelRaisedAt: factory.now, deadline: nil,
            detail: message
                + ". Check the bank's integration and credentials: a bank may only answer requests routed to it.")
        var effects = Effects()
        effects.refusal = Refusal(code: .foreignResponse, path: "request_id", message: message)
        effects.escalations = [escalation]
        effects.events = [factory.escalation(escalation, overdueSeconds: nil)]
        // The security entry names the bank that answered, not the one the request belongs to
        // (which the message names).
        effects.audit = [
            factory.audit(
                record, from: record.state, to: record.state, "SECURITY: \(message)", security: true,
                requestID: response.requestID, bankID: bank)
        ]
        effects.outcome = .foreignResponse
        return effects
    }

    /// A permitted answer: new state, stopped clocks, resolved escalations, status to police,
    /// and for moved money, the next hop.
    private func apply(
        _ response: BankResponse, moving old: RequestRecord, to target: RequestState, context: RequestContext,
        case caseContext: CaseContext, factory: EventFactory
    ) -> Effects {
        let now = factory.now
        var record = old
        record.state = target
        if record.acknowledgedAt == nil { record.acknowledgedAt = now }
        let isFinalAnswer = [.frozen, .partiallyFrozen, .rejected, .accountNotFound, .fundsMoved].contains(target)
        if isFinalAnswer && record.answeredAt == nil { record.answeredAt = now }
        if target.holdsFunds {
            if record.frozenAt == nil { record.frozenAt = now }
            record.frozenAmount = response.frozenAmount
            // The ledger keeps milliseconds; so does the relay, or a re-sent answer would look like a new hold.
            record.holdUntil = response.holdUntil?.truncatedToMilliseconds
        }
        if target.isFinal && record.closedAt == nil { record.closedAt = now }
        if let reason = response.reason { record.reason = reason }

        var effects = Effects()
        effects.outcome = .answered(target)

        // Clocks: any answer meets the acknowledgement deadline; a final answer meets the freeze deadline.
        var stop: Set<DeadlineKind> = [.acknowledge]
        var met: Set<EscalationKind> = [.ackOverdue]
        if isFinalAnswer {
            stop.insert(.freeze)
            met.insert(.freezeOverdue)
        }
        let holdChanged = target.holdsFunds && record.holdUntil != old.holdUntil
        if holdChanged || !target.holdsFunds { stop.insert(.holdExpiry) }
        effects.cancelDeadlines = [DeadlineCancellation(requestID: record.requestID, kinds: stop)]
        for escalation in context.openEscalations where met.contains(escalation.kind) {
            let late = escalation.deadline.map { " \(max(0, $0.seconds(until: now)))s after the deadline" } ?? ""
            effects.resolved.append(
                EscalationClosure(escalationID: escalation.escalationID, resolution: .answered, resolvedAt: now))
            effects.events.append(
                factory.resolved(escalation, .answered, detail: "bank answered \(response.status.rawValue)\(late)"))
        }
        if let hold = context.openEscalation(.holdExpiring), holdChanged || !target.holdsFunds {
            let resolution: EscalationResolution = holdChanged ? .superseded : .closed
            effects.resolved.append(
                EscalationClosure(escalationID: hold.escalationID, resolution: resolution, resolvedAt: now))
            effects.events.append(
                factory.resolved(
                    hold, resolution,
                    detail: holdChanged
                        ? "hold extended to \(record.holdUntil.map(\.rfc3339) ?? "none")"
                        : "hold ended: \(target.rawValue)"))
        }
        if holdChanged, let holdUntil = record.holdUntil {
            let warnAt = holdUntil.subtracting(policy.sla.holdWarning)
            effects.schedule.append(
                Deadline(requestID: record.requestID, kind: .holdExpiry, level: 1, deadline: holdUntil, dueAt: warnAt))
        }

        // Following the money to the next bank.
        var chain = ChainOutcome()
        if !response.onwardTransfers.isEmpty, let bank = record.bankID {
            chain = follow(
                response.onwardTransfers, from: record, reportedBy: bank, case: caseContext.with(record),
                factory: factory)
        }
        effects.requests = [record] + chain.children.map(\.record)
        let totals = self.totals(caseContext, applying: effects.requests, edges: chain.edges)

        var detail = "\(record.bankID?.rawValue ?? "bank") reports \(target.rawValue)"
        if let amount = response.frozenAmount { detail += ": \(amount) blocked" }
        if let holdUntil = response.holdUntil { detail += " until \(holdUntil)" }
        if let reason = response.reason { detail += "; reason: \(reason)" }
        if !chain.children.isEmpty { detail += "; \(chain.children.count) follow-up request(s) created" }
        if !chain.exits.isEmpty { detail += "; \(chain.exits.count) transfer(s) left the participating banks" }
        effects.events.append(
            factory.status(
                record, target.statusKind, detail: detail, frozenAmount: target.holdsFunds ? record.frozenAmount : nil,
                holdUntil: target.holdsFunds ? record.holdUntil : nil, children: chain.children.map(\.summary),
                exits: chain.exits, totals: totals))
        effects.audit.append(factory.audit(record, from: old.state, to: target, detail))

        if target == .rejected, let bank = record.bankID {
            let escalation = EscalationRecord(
                escalationID: EscalationRecord.id(requestID: record.requestID, kind: .rejected), kind: .rejected,
                level: 1,
                requestID: record.requestID, caseID: record.caseID, bankID: bank, raisedAt: now, levelRaisedAt: now,
                deadline: nil, detail: "\(bank) rejected the request: \(response.reason ?? "no reason given")")
            effects.escalations.append(escalation)
            effects.events.append(factory.escalation(escalation, overdueSeconds: nil))
        }
        effects.merge(chain.effects(totals: totals))
        return effects
    }
}
