import Contracts
import Foundation

/// The relay's decisions, as pure functions of (what the ledger knows, the input, the time).
///
/// Nothing here performs I/O or reads a clock: the runtime loads the context from the ledger,
/// calls one of these functions, and applies the returned `Effects` in one transaction. Deciding
/// the same input on the same context again gives the same effects with the same ids, which is
/// what makes a crash between deciding and committing harmless.
public struct RelayEngine: Sendable {
    public var policy: RelayPolicy

    public init(policy: RelayPolicy) {
        self.policy = policy
    }

    /// What the ledger knows about the request an input is about.
    public struct RequestContext: Sendable, Hashable {
        public var record: RequestRecord?
        /// Escalations of this request that are not resolved yet.
        public var openEscalations: [EscalationRecord]
        /// What the relay judged of the request's police order when it read it, kept while the
        /// request waits to be routed (`RequestState.awaitsRouting`); nil otherwise, and for
        /// requests no police order stands behind (chain requests). Loaded only by callers that
        /// may route a waiting request.
        public var pendingJudgement: PoliceJudgement?

        public init(
            record: RequestRecord?, openEscalations: [EscalationRecord] = [], pendingJudgement: PoliceJudgement? = nil
        ) {
            self.record = record
            self.openEscalations = openEscalations
            self.pendingJudgement = pendingJudgement
        }

        func openEscalation(_ kind: EscalationKind) -> EscalationRecord? {
            openEscalations.first { $0.kind == kind }
        }
    }

    /// An input that could not be decoded or does not belong on its topic.
    public func refuse(_ error: ContractError) -> Effects {
        .refused(Refusal(error))
    }

    // MARK: Routing

    /// Routes a new request (from police or from chain following), or records it as unroutable.
    /// `lookup` is where the caller already found the account's bank (chain following looks up
    /// the transfer's destination, IBAN then BIC); by default the request's IBAN is looked up.
    func route(
        _ request: FreezeRequest, fingerprint: ContentFingerprint, receivedAt: Timestamp, factory: EventFactory,
        lookup: RouteLookup? = nil, totals: (RequestRecord) -> CaseTotals?
    ) -> (RequestRecord, Effects) {
        var record = RequestRecord(
            request: request, fingerprint: fingerprint, state: .unroutable, bankID: nil, receivedAt: receivedAt)
        let effects = routeOrKeep(&record, lookup: lookup, factory: factory, totals: totals, previous: nil)
        return (record, effects)
    }

    /// Sends `record` to the bank `lookup` names (by default the one its IBAN names), or keeps it
    /// as unroutable with the reason. `previous`: the state it leaves (nil for a new request).
    func routeOrKeep(
        _ record: inout RequestRecord, lookup: RouteLookup? = nil, factory: EventFactory,
        totals: (RequestRecord) -> CaseTotals?, previous: RequestState?
    ) -> Effects {
        switch lookup ?? policy.routing.route(record.iban) {
        case .bank(let bank):
            return routeEffects(&record, to: bank, factory: factory, totals: totals, previous: previous)
        case .disabled(let bank):
            record.state = .unroutable
            record.reason = "bank \(bank.id) (\(bank.name)) is disabled in the routing table"
        case .unknown(let code):
            record.state = .unroutable
            record.reason =
                "no bank in the routing table has IBAN bank code \(code ?? "(none: \(record.iban.countryCode) IBANs carry no bank code the relay knows)")"
        }
        return unroutableEffects(record, factory: factory, totals: totals, previous: previous)
    }

    /// The case's totals as each record of a decision is applied in turn, starting from `context`.
    func runningTotals(_ context: CaseContext) -> (RequestRecord) -> CaseTotals? {
        var current = context
        return { record in
            current = current.with(record)
            return CaseAccounting.totals(of: current)
        }
    }

    /// Sends the request to `bank` and starts its clocks.
    func routeEffects(
        _ record: inout RequestRecord, to bank: BankProfile, factory: EventFactory,
        totals: (RequestRecord) -> CaseTotals?,
        previous: RequestState?
    ) -> Effects {
        let now = factory.now
        let times = policy.sla.responseTimes(for: record.request.priority, overrides: bank.slaOverrides)
        let acknowledgeBy = now.adding(times.acknowledge)
        let freezeBy = now.adding(times.freeze)
        record.state = .routed
        record.bankID = bank.id
        record.routedAt = now
        record.acknowledgeBy = acknowledgeBy
        record.freezeBy = freezeBy
        record.reason = nil

        var effects = Effects()
        effects.requests = [record]
        effects.schedule = [
            Deadline(
                requestID: record.requestID, kind: .acknowledge, level: 1, deadline: acknowledgeBy, dueAt: acknowledgeBy
            ),
            Deadline(requestID: record.requestID, kind: .freeze, level: 1, deadline: freezeBy, dueAt: freezeBy),
        ]
        effects.events = [
            factory.routed(record, to: bank, acknowledgeBy: acknowledgeBy, freezeBy: freezeBy),
            factory.status(
                record, .routed,
                detail: "routed to \(bank.id) (\(bank.name)); acknowledge by \(acknowledgeBy), freeze by \(freezeBy)",
                totals: totals(record)),
        ]
        effects.audit = [
            factory.audit(
                record, from: previous, to: .routed,
                "routed to \(bank.id); acknowledge by \(acknowledgeBy), freeze by \(freezeBy)")
        ]
        effects.outcome = .routed
        return effects
    }

    func unroutableEffects(
        _ record: RequestRecord, factory: EventFactory, totals: (RequestRecord) -> CaseTotals?,
        previous: RequestState? = nil
    ) -> Effects {
        let reason = record.reason ?? "no bank for this account"
        let escalation = EscalationRecord(
            escalationID: EscalationRecord.id(requestID: record.requestID, kind: .unroutable), kind: .unroutable,
            level: 1,
            requestID: record.requestID, caseID: record.caseID, bankID: nil, raisedAt: factory.now,
            levelRaisedAt: factory.now,
            deadline: nil,
            detail: "request kept but not routed: \(reason); fix the routing table, then run retry-unroutable")
        var effects = Effects()
        effects.requests = [record]
        effects.escalations = [escalation]
        effects.events = [
            factory.status(
                record, .unroutable,
                detail:
                    "not routed: \(reason); the request is kept and will be routed once the routing table covers it",
                totals: totals(record)),
            factory.escalation(escalation, overdueSeconds: nil),
        ]
        effects.audit = [factory.audit(record, from: previous, to: .unroutable, "unroutable: \(reason)")]
        effects.outcome = .unroutable
        return effects
    }

    /// Tries again to route a request kept as unroutable (after the routing table was fixed). The
    /// routed request says what the relay judged of the police order when it read it
    /// (`context.pendingJudgement`), as it would have had the request been routed at once.
    public func retryUnroutable(_ context: RequestContext, case caseContext: CaseContext, cause: Cause, now: Timestamp)
        -> Effects
    {
        guard var record = context.record, record.state == .unroutable else {
            var effects = Effects()
            effects.outcome = .notUnroutable
            return effects
        }
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        guard case .bank(let bank) = policy.routing.route(record.iban) else {
            var effects = Effects()
            effects.outcome = .stillUnroutable
            return effects
        }
        var effects = routeEffects(
            &record, to: bank, factory: factory, totals: runningTotals(caseContext), previous: .unroutable)
        effects.routeKept(context.pendingJudgement, for: record.requestID)
        if let open = context.openEscalation(.unroutable) {
            effects.resolved.append(
                EscalationClosure(escalationID: open.escalationID, resolution: .closed, resolvedAt: now))
            effects.events.append(
                factory.resolved(open, .closed, detail: "routed to \(bank.id) after the routing table changed"))
        }
        return effects
    }

    /// The case's totals after `records` are applied.
    func totals(_ context: CaseContext, applying records: [RequestRecord], edges: [ChainEdge] = []) -> CaseTotals? {
        var updated = context
        for record in records { updated = updated.with(record) }
        return CaseAccounting.totals(of: updated.with(edges: edges))
    }
}
