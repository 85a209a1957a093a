import Authenticity
import Contracts
import Foundation
import Relay
import Testing

/// An in-memory stand-in for the ledger: keeps what the effects of each decision say, the way the
/// ledger applies them (records upserted, timers cancelled before new ones are added, an existing
/// timer id left as it is, escalations upserted then closed), and builds the contexts the engine is
/// called with. Every decision is checked against the contracts and taken twice to check that it
/// is deterministic.
public final class RelayWorld {
    public enum TimerStatus: Equatable, Sendable { case open, fired, cancelled }

    /// What a test leaves out: the case of an input that names none the world knows, the bank an
    /// answer comes from when its request was never routed, who decides operator commands, when
    /// refusals happen, and the holder names no audit line may carry.
    public struct Defaults: Sendable {
        public var caseID: String
        public var bank: BankID
        public var operatorDecision: OperatorDecision
        public var time: Timestamp
        public var personalNames: [String]

        public init(
            caseID: String, bank: BankID, operatorDecision: OperatorDecision, time: Timestamp,
            personalNames: [String]
        ) {
            self.caseID = caseID
            self.bank = bank
            self.operatorDecision = operatorDecision
            self.time = time
            self.personalNames = personalNames
        }
    }

    public let engine: RelayEngine
    public let defaults: Defaults
    public var policy: RelayPolicy { engine.policy }

    public private(set) var records: [UUID: RequestRecord] = [:]
    public private(set) var timers: [String: (deadline: Deadline, status: TimerStatus)] = [:]
    public private(set) var escalations: [UUID: (record: EscalationRecord, resolution: EscalationResolution?)] = [:]
    public private(set) var seen: [String: ResponseSeen] = [:]
    /// The security group and refusal count stored with an escalation (see `Effects.tallies`).
    public private(set) var tallies: [UUID: (group: String, refusals: Int)] = [:]
    public private(set) var edges: [ChainEdge] = []
    public private(set) var history: [Effects] = []
    private var offset: Int64 = 0

    public init(_ engine: RelayEngine, defaults: Defaults) {
        self.engine = engine
        self.defaults = defaults
    }

    // MARK: Contexts, as the ledger would load them

    public func context(_ requestID: UUID) -> RelayEngine.RequestContext {
        RelayEngine.RequestContext(record: records[requestID], openEscalations: openEscalations(of: requestID))
    }

    public func openEscalations(of requestID: UUID) -> [EscalationRecord] {
        escalations.values.filter { $0.record.requestID == requestID && $0.resolution == nil }.map(\.record)
            .sorted { ($0.raisedAt, $0.escalationID.uuidString) < ($1.raisedAt, $1.escalationID.uuidString) }
    }

    public func caseContext(_ caseID: String) -> CaseContext {
        CaseContext(
            caseID: caseID,
            requests: records.values.filter { $0.caseID == caseID }
                .sorted { ($0.receivedAt, $0.requestID.uuidString) < ($1.receivedAt, $1.requestID.uuidString) },
            edges: edges.filter { $0.caseID == caseID })
    }

    public func record(_ id: UUID) -> RequestRecord? { records[id] }

    /// The open escalation of a group of security refusals, as the ledger finds it.
    public func openEscalation(securityGroup group: SecurityEscalationGroup) -> OpenSecurityEscalation? {
        tallies.filter { $0.value.group == group.key && escalations[$0.key]?.resolution == nil }
            .compactMap { id, tally in
                escalations[id].map { OpenSecurityEscalation(record: $0.record, refusals: tally.refusals) }
            }
            .min {
                ($0.record.raisedAt, $0.record.escalationID.uuidString) < (
                    $1.record.raisedAt, $1.record.escalationID.uuidString
                )
            }
    }

    public func openTimers(of requestID: UUID) -> [Deadline] {
        timers.values.filter { $0.status == .open && $0.deadline.requestID == requestID }.map(\.deadline)
            .sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
    }

    public func escalation(_ id: UUID) -> (record: EscalationRecord, resolution: EscalationResolution?)? {
        escalations[id]
    }

    /// The totals of `caseID` (by default the defaults' case).
    public func totals(_ caseID: String? = nil) -> CaseTotals? {
        CaseAccounting.totals(of: caseContext(caseID ?? defaults.caseID))
    }

    // MARK: Inputs

    public func nextCause(topic: String, eventID: UUID?) -> Cause {
        offset += 1
        return .record(topic: topic, partition: 0, offset: offset, eventID: eventID)
    }

    @discardableResult
    public func receive(
        _ request: FreezeRequest, at now: Timestamp? = nil, quota: QuotaUsage? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        let now = now ?? request.createdAt
        let cause = nextCause(topic: policy.topics.requests, eventID: request.id)
        let context = context(request.requestID)
        let caseContext = caseContext(request.caseID)
        return decide(sourceLocation, linking: (cause, now)) {
            engine.receive(
                request, fingerprint: ContentFingerprint(request), context: context, case: caseContext, quota: quota,
                cause: cause, now: now)
        }
    }

    @discardableResult
    public func release(
        _ requestID: UUID, at now: Timestamp, by decision: OperatorDecision? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        operatorDecides("release", requestID, at: now, sourceLocation) {
            engine.release($0, case: $1, decision: decision ?? defaults.operatorDecision, cause: $2, now: now)
        }
    }

    @discardableResult
    public func refuseHeld(
        _ requestID: UUID, at now: Timestamp, by decision: OperatorDecision? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        operatorDecides("refuse", requestID, at: now, sourceLocation) {
            engine.refuseHeld($0, case: $1, decision: decision ?? defaults.operatorDecision, cause: $2, now: now)
        }
    }

    /// An operator's decision about one request, with the contexts the ledger would load.
    private func operatorDecides(
        _ name: String, _ requestID: UUID, at now: Timestamp, _ sourceLocation: SourceLocation,
        _ body: (RelayEngine.RequestContext, CaseContext, Cause) -> Effects
    ) -> Effects {
        let cause = Cause.command(name, nonce: "\(now.secondsSinceEpoch):\(requestID)")
        let context = context(requestID)
        let caseContext = caseContext(records[requestID]?.caseID ?? "")
        return decide(sourceLocation) { body(context, caseContext, cause) }
    }

    @discardableResult
    public func cancel(
        _ cancel: FreezeCancel, at now: Timestamp? = nil, sourceLocation: SourceLocation = #_sourceLocation
    )
        -> Effects
    {
        let now = now ?? cancel.createdAt
        let cause = nextCause(topic: policy.topics.requests, eventID: cancel.id)
        let context = context(cancel.requestID)
        let caseContext = caseContext(records[cancel.requestID]?.caseID ?? cancel.caseID ?? "")
        return decide(sourceLocation) {
            engine.cancel(cancel, context: context, case: caseContext, cause: cause, now: now)
        }
    }

    /// A bank answer read from `bank`'s responses topic (by default the bank the request was routed to).
    @discardableResult
    public func answer(
        _ response: BankResponse, from bank: BankID? = nil, at now: Timestamp? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        let bank = bank ?? records[response.requestID]?.bankID ?? defaults.bank
        let topic = policy.routing.profile(bank)?.responsesTopic ?? policy.topics.bankResponses(bank)
        let cause = nextCause(topic: topic, eventID: response.id)
        let context = context(response.requestID)
        let previous = seen["\(bank.rawValue)|\(response.responseID)"]
        let caseContext = caseContext(records[response.requestID]?.caseID ?? "")
        let now = now ?? response.respondedAt
        return decide(sourceLocation, linking: (cause, now)) {
            engine.answer(
                response, fingerprint: ContentFingerprint(response), from: bank, context: context, previous: previous,
                case: caseContext, cause: cause, now: now)
        }
    }

    /// A police order refused for want of a valid signature, decided with its group's open escalation.
    @discardableResult
    public func refuse(
        _ order: PoliceMessage, _ problem: AuthenticityProblem, at now: Timestamp? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        let now = now ?? defaults.time
        let cause = nextCause(topic: policy.topics.requests, eventID: nil)
        let open = openEscalation(securityGroup: engine.securityGroup(of: order, problem: problem))
        return decide(sourceLocation) {
            engine.refuseUnauthenticated(order, problem: problem, open: open, cause: cause, now: now)
        }
    }

    /// A bank answer refused for want of a valid signature.
    @discardableResult
    public func refuse(
        _ response: BankResponse, from bank: BankID, _ problem: AuthenticityProblem, at now: Timestamp? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Effects {
        let now = now ?? defaults.time
        let cause = nextCause(topic: policy.topics.bankResponses(bank), eventID: response.id)
        let open = openEscalation(securityGroup: engine.securityGroup(ofAnswerFrom: bank, problem: problem))
        return decide(sourceLocation) {
            engine.refuseUnauthenticated(
                response, from: bank, record: records[response.requestID], problem: problem, open: open, cause: cause,
                now: now)
        }
    }

    /// An operator closes an escalation by hand.
    public func close(_ escalationID: UUID) {
        escalations[escalationID]?.resolution = .closed
    }

    /// Fires one timer (spent whatever the decision), at `now` (by default when it is due).
    @discardableResult
    public func fire(_ deadline: Deadline, at now: Timestamp? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        -> Effects
    {
        let context = context(deadline.requestID)
        let now = now ?? deadline.dueAt
        let effects = decide(sourceLocation) { engine.fire(deadline, context: context, now: now) }
        if timers[deadline.id]?.status == .open { timers[deadline.id]?.status = .fired }
        return effects
    }

    /// The open timer of `kind` for a request (the lowest level if several).
    public func timer(_ requestID: UUID, _ kind: DeadlineKind) -> Deadline? {
        openTimers(of: requestID).filter { $0.kind == kind }.min { $0.level < $1.level }
    }

    /// Fires every timer due by `now`, earliest first, including timers those firings schedule,
    /// as the runtime does after downtime. Returns each firing's effects.
    @discardableResult
    public func fireDue(at now: Timestamp, sourceLocation: SourceLocation = #_sourceLocation) -> [Effects] {
        var all: [Effects] = []
        while let next = timers.values.filter({ $0.status == .open && $0.deadline.dueAt <= now }).map(\.deadline)
            .min(by: { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) })
        {
            all.append(fire(next, at: now, sourceLocation: sourceLocation))
        }
        return all
    }

    @discardableResult
    public func retryUnroutable(_ requestID: UUID, at now: Timestamp, sourceLocation: SourceLocation = #_sourceLocation)
        -> Effects
    {
        let cause = Cause.command("retry-unroutable", nonce: "\(now.secondsSinceEpoch)")
        let context = context(requestID)
        let caseContext = caseContext(records[requestID]?.caseID ?? "")
        return decide(sourceLocation) { engine.retryUnroutable(context, case: caseContext, cause: cause, now: now) }
    }

    // MARK: Deciding and applying

    /// `linking`: the cause and time of a decision that may create requests; they are linked to
    /// other cases that named their accounts, as the runtime does before writing (through the
    /// ledger's `accountSightings`), from the requests this world holds.
    private func decide(
        _ sourceLocation: SourceLocation, linking: (Cause, Timestamp)? = nil, _ body: () -> Effects
    ) -> Effects {
        var effects = body()
        var again = body()
        if let (cause, now) = linking {
            let found = Dictionary(
                uniqueKeysWithValues: effects.createdRequests.map { created in
                    (created.requestID, sightings(of: created.iban))
                })
            engine.linkAccounts(&effects, sightings: found, cause: cause, now: now)
            engine.linkAccounts(&again, sightings: found, cause: cause, now: now)
        }
        if effects != again {
            Issue.record("the same decision taken twice gave different effects", sourceLocation: sourceLocation)
        }
        checkContracts(effects, policy: policy, personalNames: defaults.personalNames, sourceLocation: sourceLocation)
        apply(effects)
        return effects
    }

    /// The requests for `iban`, newest first, as `RelayTransaction.accountSightings` reads them.
    public func sightings(of iban: IBAN) -> [AccountSighting] {
        records.values.filter { $0.iban == iban }
            .sorted {
                ($0.receivedAt, CanonicalUUID.string($0.requestID)) > (
                    $1.receivedAt, CanonicalUUID.string($1.requestID)
                )
            }
            .map {
                AccountSighting(caseID: $0.caseID, requestID: $0.requestID, state: $0.state, receivedAt: $0.receivedAt)
            }
    }

    /// Applies effects in the ledger's order.
    public func apply(_ effects: Effects) {
        history.append(effects)
        for record in effects.requests {
            if var existing = records[record.requestID] {
                // The ledger keeps the stored request and received_at; everything else is replaced.
                let request = existing.request
                let receivedAt = existing.receivedAt
                existing = record
                existing.request = request
                existing.receivedAt = receivedAt
                records[record.requestID] = existing
            } else {
                records[record.requestID] = record
            }
        }
        for cancellation in effects.cancelDeadlines {
            for (id, timer) in timers
            where timer.status == .open && timer.deadline.requestID == cancellation.requestID
                && cancellation.kinds.contains(timer.deadline.kind)
            {
                timers[id]?.status = .cancelled
            }
        }
        // As the ledger does: an id already open or fired changes nothing; a cancelled one opens again.
        for deadline in effects.schedule where timers[deadline.id] == nil || timers[deadline.id]?.status == .cancelled {
            timers[deadline.id] = (deadline, .open)
        }
        for escalation in effects.escalations {
            if let existing = escalations[escalation.escalationID] {
                var merged = existing.record
                merged.level = max(merged.level, escalation.level)
                merged.levelRaisedAt = escalation.levelRaisedAt
                merged.detail = escalation.detail
                escalations[escalation.escalationID] = (merged, nil)
            } else {
                escalations[escalation.escalationID] = (escalation, nil)
            }
        }
        for closure in effects.resolved where escalations[closure.escalationID]?.resolution == nil {
            escalations[closure.escalationID]?.resolution = closure.resolution
        }
        for tally in effects.tallies {
            tallies[tally.escalationID] = (tally.group, tally.refusals)
        }
        for response in effects.responses where seen["\(response.bankID.rawValue)|\(response.responseID)"] == nil {
            seen["\(response.bankID.rawValue)|\(response.responseID)"] = response
        }
        for edge in effects.edges
        where !edges.contains(where: {
            $0.fromRequestID == edge.fromRequestID && $0.transfer.reference == edge.transfer.reference
        }) {
            edges.append(edge)
        }
    }
}
