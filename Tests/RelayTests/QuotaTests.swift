import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Intake quotas: which limit a new police request is over, what holding it does, and what an
/// operator's release or refusal does to a held request.
@Suite("Quotas and held requests")
struct QuotaTests {
    let t0 = Fixture.t0
    static let limits = IntakeQuotas(
        issuer: .init(perMinute: 5, perDay: 100),
        issuerOverrides: ["police-central": .init(perMinute: 50, perDay: nil)],
        account: .init(openRequests: 3, repeats: 4, repeatWindow: .seconds(86_400)))
    static let agency = QuotaIssuer(registeredID: nil, agency: Fixture.issuer.agency)

    // MARK: Which limit

    @Test("each limit holds exactly at its count, not one below", arguments: QuotaBreach.Limit.allCases)
    func eachLimitAtItsBoundary(limit: QuotaBreach.Limit) throws {
        func usage(_ count: Int) -> QuotaUsage {
            var usage = QuotaUsage(issuer: Self.agency)
            switch limit {
            case .issuerPerMinute: usage.issuerThisMinute = count
            case .issuerPerDay: usage.issuerToday = count
            case .accountOpenRequests: usage.accountOpen = count
            case .accountRepeats: usage.accountRecent = count
            }
            return usage
        }
        let allowed =
            switch limit {
            case .issuerPerMinute: 5
            case .issuerPerDay: 100
            case .accountOpenRequests: 3
            case .accountRepeats: 4
            }
        #expect(Self.limits.breach(usage(allowed - 1)) == nil)
        let breach = try #require(Self.limits.breach(usage(allowed)))
        #expect(breach.limit == limit)
        #expect(breach.allowed == allowed && breach.counted == allowed)
        #expect(Self.limits.breach(usage(allowed + 7))?.limit == limit)
    }

    @Test("a registered issuer's own limits replace the defaults; an agency no issuer lists gets the defaults")
    func overrides() {
        let central = QuotaIssuer(registeredID: "police-central", agency: "Central Police")
        #expect(Self.limits.breach(QuotaUsage(issuer: central, issuerThisMinute: 49)) == nil)
        #expect(Self.limits.breach(QuotaUsage(issuer: central, issuerThisMinute: 50))?.limit == .issuerPerMinute)
        #expect(
            Self.limits.breach(QuotaUsage(issuer: central, issuerToday: 1_000_000)) == nil,
            "the override has no daily limit")
        #expect(Self.limits.breach(QuotaUsage(issuer: Self.agency, issuerThisMinute: 5))?.limit == .issuerPerMinute)
        // An agency named like a registered issuer's id is not that issuer.
        let impostor = QuotaIssuer(registeredID: nil, agency: "police-central")
        #expect(Self.limits.breach(QuotaUsage(issuer: impostor, issuerThisMinute: 5))?.limit == .issuerPerMinute)
        #expect(impostor.key != central.key)
    }

    @Test("no limits: nothing is ever held")
    func unlimited() {
        let usage = QuotaUsage(
            issuer: Self.agency, issuerThisMinute: .max, issuerToday: .max, accountOpen: .max, accountRecent: .max)
        #expect(IntakeQuotas.unlimited.breach(usage) == nil)
        #expect(IntakeQuotas.unlimited.isUnlimited && !Self.limits.isUnlimited)
    }

    @Test("windows are UTC minutes and days since the epoch, floored")
    func windows() {
        let time = Timestamp(secondsSinceEpoch: 86_400 * 3 + 61, nanoseconds: 500)
        #expect(QuotaWindow.minute.index(of: time) == 1440 * 3 + 1)
        #expect(QuotaWindow.day.index(of: time) == 3)
        #expect(QuotaWindow.minute.index(of: Timestamp(secondsSinceEpoch: -1)) == -1)
        #expect(QuotaWindow.day.index(of: Timestamp(secondsSinceEpoch: 86_399)) == 0)
    }

    // MARK: Holding

    @Test("a request over a quota is held: kept, not routed, no clocks; police told held, operators get quota_exceeded")
    func overQuotaIsHeld() throws {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        let effects = world.receive(Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, accountOpen: 3))
        #expect(effects.outcome == .held)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.state == .held && record.bankID == nil && record.routedAt == nil)
        #expect(record.reason?.contains("account_open_requests") == true)
        #expect(effects.routedRequests.isEmpty && effects.schedule.isEmpty && effects.quotaCharges.isEmpty)
        #expect(effects.statuses.map(\.status) == [.held])
        let escalation = try #require(effects.escalationEvents.first)
        #expect(escalation.kind == .quotaExceeded && escalation.bankID == nil && escalation.caseID == Fixture.caseID)
        #expect(escalation.detail.contains("freeze-relay release"))
        #expect(effects.audit.map(\.newState) == [.held])
        // Held money is still money police asked to stop: it counts as moving in the case totals.
        #expect(effects.statuses.first?.caseTotals?.moving == Fixture.kzt("1000000"))
        // Personal data stays out of what operators and police read about the hold.
        for text in [record.reason ?? "", escalation.detail, effects.statuses.first?.detail ?? ""] {
            #expect(!text.contains(Fixture.alphaAccount(1).electronicFormat) && !text.contains("Ivan"))
        }
    }

    @Test("a request within every quota is routed and charged to its issuer at the time it was admitted")
    func withinQuotaIsCharged() {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        let routed = world.receive(
            Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, issuerThisMinute: 4, accountOpen: 2))
        #expect(routed.outcome == .routed)
        #expect(routed.quotaCharges == [QuotaCharge(issuerKey: Self.agency.key, at: t0)])
        let unroutable = world.receive(
            Fixture.request(Fixture.uuid(2), iban: Fixture.unknownAccount(1)), at: t0,
            quota: QuotaUsage(issuer: Self.agency))
        #expect(unroutable.outcome == .unroutable)
        #expect(unroutable.quotaCharges.count == 1, "an admitted request counts whether or not a bank takes it")
        let unchecked = world.receive(Fixture.request(Fixture.uuid(3)), at: t0)
        #expect(unchecked.outcome == .routed && unchecked.quotaCharges.isEmpty)
    }

    @Test("a held request sent again is a duplicate: not judged again, not charged")
    func heldDuplicate() {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        world.receive(Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, issuerThisMinute: 5))
        var again = Fixture.request()
        again.id = Fixture.uuid(900)
        let effects = world.receive(again, at: t0.plus(seconds: 5), quota: QuotaUsage(issuer: Self.agency))
        #expect(effects.outcome == .duplicate && effects.isEmpty)
        #expect(world.record(Fixture.uuid(1))?.state == .held)
    }

    // MARK: Operator decisions

    @Test(
        "release routes a held request like a new one, closes its quota escalation and audits the operator and reason")
    func release() throws {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        let held = world.receive(Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, issuerToday: 100))
        let escalationID = try #require(held.escalations.first?.escalationID)
        let effects = world.release(Fixture.uuid(1), at: t0.plus(minutes: 10))
        #expect(effects.outcome == .released)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.state == .routed && record.bankID == Fixture.alpha && record.routedAt == t0.plus(minutes: 10))
        #expect(record.acknowledgeBy! > t0.plus(minutes: 10), "the clocks start at the release, not at receipt")
        #expect(effects.routedRequests.map(\.requestID) == [Fixture.uuid(1)])
        #expect(
            world.openTimers(of: Fixture.uuid(1)).map(\.kind).sorted { $0.rawValue < $1.rawValue } == [
                .acknowledge, .freeze,
            ])
        #expect(world.escalation(escalationID)?.resolution == .closed)
        #expect(effects.audit.first?.oldState == .held && effects.audit.first?.newState == .routed)
        #expect(
            effects.audit.first?.detail.contains("ops-duty-7") == true
                && effects.audit.first?.detail.contains("confirmed with the issuing unit") == true)
        #expect(effects.quotaCharges.isEmpty, "an operator's release is not charged to the issuer")
        let again = world.release(Fixture.uuid(1), at: t0.plus(minutes: 11))
        #expect(again.outcome == .notHeld && again.isEmpty)
    }

    @Test("a released request whose bank is no longer in the table becomes unroutable, with its own escalation")
    func releaseUnroutable() throws {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        world.receive(
            Fixture.request(iban: Fixture.unknownAccount(4)), at: t0,
            quota: QuotaUsage(issuer: Self.agency, issuerThisMinute: 5))
        let effects = world.release(Fixture.uuid(1), at: t0.plus(minutes: 1))
        #expect(effects.outcome == .releasedUnroutable)
        #expect(world.record(Fixture.uuid(1))?.state == .unroutable)
        #expect(effects.escalationEvents.map(\.kind) == [.unroutable])
        #expect(world.openEscalations(of: Fixture.uuid(1)).map(\.kind) == [.unroutable])
        #expect(effects.audit.first?.oldState == .held)
    }

    @Test("refuse ends a held request: refused, final, police told, no bank hears of it; answers about it are refused")
    func refuse() throws {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        world.receive(Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, accountRecent: 4))
        let effects = world.refuseHeld(Fixture.uuid(1), at: t0.plus(minutes: 2))
        #expect(effects.outcome == .refused)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.state == .refused && record.state.isFinal && record.closedAt == t0.plus(minutes: 2))
        #expect(effects.routedRequests.isEmpty && effects.schedule.isEmpty)
        #expect(effects.statuses.map(\.status) == [.refused])
        #expect(effects.statuses.first?.caseTotals?.moving == Fixture.kzt("0"))
        #expect(world.openEscalations(of: Fixture.uuid(1)).isEmpty)
        #expect(world.release(Fixture.uuid(1), at: t0.plus(minutes: 3)).outcome == .notHeld, "a refusal is final")
        let answer = world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000")), from: Fixture.alpha, at: t0.plus(minutes: 4))
        #expect(answer.refusal != nil)
        #expect(world.record(Fixture.uuid(1))?.state == .refused)
    }

    @Test("police may cancel a held request: cancelled, no bank told, quota escalation closed as cancelled")
    func cancelHeld() throws {
        let world = RelayWorld(Fixture.engine(quotas: Self.limits))
        let held = world.receive(Fixture.request(), at: t0, quota: QuotaUsage(issuer: Self.agency, issuerThisMinute: 9))
        let effects = world.cancel(Fixture.cancel(at: t0.plus(minutes: 1)))
        #expect(effects.outcome == .cancelled)
        #expect(effects.events.allSatisfy { $0.event.type != .routedCancel })
        #expect(effects.statuses.first?.detail.contains("had not been routed") == true)
        #expect(world.escalation(try #require(held.escalations.first?.escalationID))?.resolution == .cancelled)
    }

    @Test("bank answers cannot move a held or refused request", arguments: BankResponseStatus.allCases)
    func answersCannotMoveHeld(status: BankResponseStatus) {
        for state in [RequestState.held, .refused] {
            let record = Fixture.record(state)
            if case .advance = TransitionRules.evaluate(
                record, answer: Fixture.response(status, frozen: Fixture.kzt("10")))
            {
                Issue.record("\(status) moved a \(state) request")
            }
        }
    }
}

/// Operators closing escalations that nothing else closes.
@Suite("Closing escalations by hand")
struct CloseEscalationTests {
    static func escalation(_ kind: EscalationKind) -> EscalationRecord {
        EscalationRecord(
            escalationID: Fixture.uuid(70), kind: kind, level: 1, requestID: Fixture.uuid(1), caseID: Fixture.caseID,
            bankID: Fixture.alpha, raisedAt: Fixture.t0, levelRaisedAt: Fixture.t0, deadline: nil, detail: "x")
    }

    @Test(
        "an open escalation is closed with the operator and the reason; security kinds are audited as security events",
        arguments: EscalationKind.allCases)
    func closesOpen(kind: EscalationKind) throws {
        let engine = Fixture.engine()
        let effects = engine.closeEscalation(
            Self.escalation(kind), isOpen: true, decision: Fixture.operatorDecision,
            cause: .command("close_escalation", nonce: "n"), now: Fixture.t0.plus(minutes: 5))
        checkContracts(effects, policy: engine.policy)
        #expect(effects.outcome == .closed)
        #expect(
            effects.resolved == [
                EscalationClosure(
                    escalationID: Fixture.uuid(70), resolution: .closed, resolvedAt: Fixture.t0.plus(minutes: 5))
            ])
        let resolved = try #require(effects.resolvedEvents.first)
        #expect(resolved.resolution == .closed && resolved.detail?.contains("ops-duty-7") == true)
        #expect(effects.audit.count == 1 && effects.audit.first?.isSecurityEvent == kind.isSecurityEvent)
        #expect(effects.audit.first?.detail.contains("confirmed with the issuing unit") == true)
        #expect(effects.requests.isEmpty && effects.escalations.isEmpty, "closing changes no request")
    }

    @Test("a resolved or unknown escalation is left alone")
    func leftAlone() {
        let engine = Fixture.engine()
        let cause = Cause.command("close_escalation", nonce: "n")
        let resolved = engine.closeEscalation(
            Self.escalation(.chainExit), isOpen: false, decision: Fixture.operatorDecision, cause: cause,
            now: Fixture.t0)
        #expect(resolved.outcome == .notOpen && resolved.isEmpty)
        let unknown = engine.closeEscalation(
            nil, isOpen: true, decision: Fixture.operatorDecision, cause: cause, now: Fixture.t0)
        #expect(unknown.outcome == .unknown && unknown.isEmpty)
    }
}
