import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// SLA deadlines and the escalation ladder, with the clock in the test's hands.
@Suite("Deadline ladder")
struct DeadlineLadderTests {
    let request = Fixture.uuid(1)
    let t0 = Fixture.t0

    /// An urgent request routed to alpha at t0: acknowledge by t0+5m, freeze by t0+30m.
    func routed() -> RelayWorld {
        let world = RelayWorld()
        world.receive(Fixture.request(priority: .urgent), at: t0)
        return world
    }

    @Test("the standard SLA: urgent 5m/30m, normal 15m/2h, steps +15m and +60m, warn 12h before a hold lapses")
    func standardPolicy() {
        let sla = SLAPolicy.standard
        #expect(sla.responseTimes(for: .urgent) == ResponseTimes(acknowledge: .seconds(300), freeze: .seconds(1800)))
        #expect(sla.responseTimes(for: .normal) == ResponseTimes(acknowledge: .seconds(900), freeze: .seconds(7200)))
        #expect(sla.escalationSteps == [.seconds(900), .seconds(3600)])
        #expect(sla.maxLevel == 3)
        #expect(sla.holdWarning == .seconds(12 * 3600))
        let deadline = t0.plus(minutes: 5)
        #expect(sla.dueDate(ofLevel: 0, after: deadline) == nil)
        #expect(sla.dueDate(ofLevel: 1, after: deadline) == deadline)
        #expect(sla.dueDate(ofLevel: 2, after: deadline) == deadline.plus(minutes: 15))
        #expect(sla.dueDate(ofLevel: 3, after: deadline) == deadline.plus(minutes: 60))
        #expect(sla.dueDate(ofLevel: 4, after: deadline) == nil)
        // A priority missing from the configured defaults falls back to the standard one.
        let partial = SLAPolicy(
            defaults: [.urgent: ResponseTimes(acknowledge: .seconds(60), freeze: .seconds(600))],
            escalationSteps: [], holdWarning: .seconds(3600))
        #expect(partial.responseTimes(for: .normal) == sla.responseTimes(for: .normal))
        #expect(partial.maxLevel == 1)
    }

    @Test(
        "routing starts the acknowledgement and freeze clocks",
        arguments: [(Priority.urgent, Int64(5), Int64(30)), (Priority.normal, Int64(15), Int64(120))])
    func clocksStart(priority: Priority, ack: Int64, freeze: Int64) {
        let world = RelayWorld()
        world.receive(Fixture.request(iban: Fixture.deltaAccount(1), priority: priority), at: t0)
        let timers = world.openTimers(of: request)
        #expect(timers.map(\.kind) == [.acknowledge, .freeze])
        #expect(timers.map(\.level) == [1, 1])
        #expect(timers.map(\.dueAt) == [t0.plus(minutes: ack), t0.plus(minutes: freeze)])
        #expect(timers.map(\.deadline) == timers.map(\.dueAt))
    }

    @Test("an unanswered acknowledgement climbs levels 1, 2, 3 at the deadline, +15m, +60m, then stops")
    func acknowledgementLadder() throws {
        let world = routed()
        let deadline = t0.plus(minutes: 5)
        let escalationID = EscalationRecord.id(requestID: request, kind: .ackOverdue)

        let level1 = try #require(world.timer(request, .acknowledge))
        #expect(level1.level == 1 && level1.dueAt == deadline)
        let first = world.fire(level1)
        #expect(first.outcome == .escalated)
        let e1 = try #require(first.escalationEvents.first)
        #expect(e1.kind == .ackOverdue && e1.level == 1 && e1.escalationID == escalationID)
        #expect(e1.deadline == deadline && e1.overdueSeconds == 0 && e1.raisedAt == deadline)
        #expect(e1.bankID == Fixture.alpha && e1.caseID == Fixture.caseID && e1.requestID == request)
        #expect(e1.contact == Fixture.alphaContact)
        let status = try #require(first.statuses.first)
        #expect(status.status == .escalated)
        #expect(status.escalation == EscalationSummary(escalationID: escalationID, kind: .ackOverdue, level: 1))
        #expect(
            first.schedule == [
                Deadline(
                    requestID: request, kind: .acknowledge, level: 2, deadline: deadline,
                    dueAt: deadline.plus(minutes: 15))
            ])
        #expect(first.requests.isEmpty, "escalating does not change the request")
        #expect(first.audit.count == 1)

        let level2 = try #require(world.timer(request, .acknowledge))
        let second = world.fire(level2)
        let e2 = try #require(second.escalationEvents.first)
        #expect(e2.level == 2 && e2.escalationID == escalationID && e2.overdueSeconds == 900)
        #expect(e2.raisedAt == deadline.plus(minutes: 15))
        #expect(second.statuses.first?.escalation?.level == 2)
        #expect(second.schedule.map(\.level) == [3])
        #expect(second.schedule.first?.dueAt == deadline.plus(minutes: 60))
        #expect(second.escalations.first?.raisedAt == deadline, "the escalation keeps when it was first raised")
        #expect(e1.id != e2.id)

        let level3 = try #require(world.timer(request, .acknowledge))
        let third = world.fire(level3)
        #expect(third.escalationEvents.map(\.level) == [3])
        #expect(third.escalationEvents.first?.overdueSeconds == 3600)
        #expect(third.schedule.isEmpty, "nothing after the last level")
        #expect(world.timer(request, .acknowledge) == nil)
        #expect(world.openEscalations(of: request).map(\.level) == [3])
        #expect(world.openEscalations(of: request).map(\.escalationID) == [escalationID])
    }

    @Test("custom steps: one step means two levels")
    func customSteps() throws {
        let sla = SLAPolicy(
            defaults: SLAPolicy.standard.defaults, escalationSteps: [.seconds(600)], holdWarning: .seconds(3600))
        let world = RelayWorld(Fixture.engine(sla: sla))
        world.receive(Fixture.request(), at: t0)
        let first = world.fire(try #require(world.timer(request, .acknowledge)))
        #expect(first.schedule.map(\.dueAt) == [t0.plus(minutes: 15)])
        let second = world.fire(try #require(world.timer(request, .acknowledge)))
        #expect(second.escalationEvents.map(\.level) == [2])
        #expect(second.schedule.isEmpty)
    }

    @Test("the freeze deadline escalates even after an acknowledgement")
    func freezeOverdueAfterAcknowledgement() throws {
        let world = routed()
        world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 2)))
        #expect(world.timer(request, .acknowledge) == nil, "the acknowledgement stopped its clock")
        let freeze = try #require(world.timer(request, .freeze))
        let effects = world.fire(freeze)
        #expect(effects.escalationEvents.map(\.kind) == [.freezeOverdue])
        #expect(effects.escalationEvents.first?.deadline == t0.plus(minutes: 30))
        #expect(effects.statuses.first?.escalation?.kind == .freezeOverdue)
    }

    @Test("a deadline firing after the bank answered has no effects")
    func firedAfterAnswer() throws {
        let world = routed()
        let ack = try #require(world.timer(request, .acknowledge))
        let freeze = try #require(world.timer(request, .freeze))
        world.answer(Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), at: t0.plus(minutes: 1)))
        #expect(world.openTimers(of: request).isEmpty)
        // The runtime may still fire a timer it had already picked up.
        for deadline in [ack, freeze] {
            let effects = world.fire(deadline)
            #expect(effects.outcome == .deadlineMet)
            #expect(effects.isEmpty)
        }
    }

    @Test("a timer of a cancelled, unknown or unroutable request has no effects")
    func mootTimers() throws {
        let world = routed()
        let ack = try #require(world.timer(request, .acknowledge))
        world.cancel(Fixture.cancel(at: t0.plus(minutes: 1)))
        let cancelled = world.fire(ack)
        #expect(cancelled.isEmpty)
        #expect(cancelled.outcome == .deadlineMoot, "the bank did not meet it: police withdrew the request")

        let engine = Fixture.engine()
        let unknown = engine.fire(ack, context: .init(record: nil), now: ack.dueAt)
        #expect(unknown.outcome == .deadlineMoot && unknown.isEmpty)
        let unroutable = engine.fire(ack, context: .init(record: Fixture.record(.unroutable)), now: ack.dueAt)
        #expect(unroutable.outcome == .deadlineMoot && unroutable.isEmpty)
        checkContracts(unknown, policy: engine.policy)
        checkContracts(unroutable, policy: engine.policy)
    }

    @Test("met or moot: a timer whose request the bank answered is met; one made pointless otherwise is moot")
    func metOrMoot() throws {
        let engine = Fixture.engine()
        let ack = Deadline(
            requestID: request, kind: .acknowledge, level: 1, deadline: t0.plus(minutes: 5), dueAt: t0.plus(minutes: 5))
        let freeze = Deadline(
            requestID: request, kind: .freeze, level: 1, deadline: t0.plus(minutes: 30), dueAt: t0.plus(minutes: 30))
        func outcome(_ deadline: Deadline, _ record: RequestRecord) -> Outcome {
            let effects = engine.fire(deadline, context: .init(record: record), now: deadline.dueAt)
            #expect(effects.isEmpty)
            return effects.outcome
        }
        var acknowledged = Fixture.record(.acknowledged)
        acknowledged.acknowledgedAt = t0.plus(minutes: 1)
        #expect(outcome(ack, acknowledged) == .deadlineMet)
        var frozen = Fixture.record(.frozen)
        frozen.acknowledgedAt = t0.plus(minutes: 2)
        frozen.answeredAt = t0.plus(minutes: 2)
        #expect(outcome(ack, frozen) == .deadlineMet)
        #expect(outcome(freeze, frozen) == .deadlineMet)
        // Cancelled before the bank said anything: nothing was met.
        #expect(outcome(ack, Fixture.record(.cancelled)) == .deadlineMoot)
        #expect(outcome(freeze, Fixture.record(.cancelled)) == .deadlineMoot)
        // Acknowledged, then cancelled: the acknowledgement was met, the freeze is moot.
        var ackThenCancelled = Fixture.record(.cancelled)
        ackThenCancelled.acknowledgedAt = t0.plus(minutes: 1)
        #expect(outcome(ack, ackThenCancelled) == .deadlineMet)
        #expect(outcome(freeze, ackThenCancelled) == .deadlineMoot)
    }

    @Test("a late answer resolves the open overdue escalations as answered and stops the clocks")
    func lateAnswerResolves() throws {
        let world = routed()
        world.fireDue(at: t0.plus(minutes: 20))  // ack level 1 (t0+5m) and 2 (t0+20m)
        world.fireDue(at: t0.plus(minutes: 30))  // freeze level 1
        let ackID = EscalationRecord.id(requestID: request, kind: .ackOverdue)
        let freezeID = EscalationRecord.id(requestID: request, kind: .freezeOverdue)
        #expect(Set(world.openEscalations(of: request).map(\.escalationID)) == [ackID, freezeID])

        let late = t0.plus(minutes: 40)
        let effects = world.answer(Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), at: late))
        #expect(Set(effects.resolved.map(\.escalationID)) == [ackID, freezeID])
        #expect(effects.resolved.allSatisfy { $0.resolution == .answered && $0.resolvedAt == late })
        let resolved = effects.resolvedEvents
        #expect(resolved.count == 2)
        #expect(
            resolved.allSatisfy {
                $0.resolution == .answered && $0.requestID == request && $0.caseID == Fixture.caseID
                    && $0.bankID == Fixture.alpha
            })
        #expect(resolved.first { $0.escalationID == ackID }?.detail?.contains("2100s after the deadline") == true)
        #expect(resolved.first { $0.escalationID == freezeID }?.detail?.contains("600s after the deadline") == true)
        #expect(effects.cancelDeadlines.count == 1)
        #expect(effects.cancelDeadlines.first?.kinds.isSuperset(of: [.acknowledge, .freeze]) == true)
        #expect(
            world.openTimers(of: request).isEmpty,
            "the level 3 acknowledgement timer and the freeze level 2 timer are gone")
        #expect(world.openEscalations(of: request).isEmpty)
        let record = try #require(world.record(request))
        #expect(record.answeredInTime == false)
        #expect(record.secondsToFreeze == 2400)
    }

    @Test("a late acknowledgement resolves only the acknowledgement escalation; the freeze one stays")
    func lateAcknowledgement() throws {
        let world = routed()
        world.fireDue(at: t0.plus(minutes: 30))
        let effects = world.answer(Fixture.response(.acknowledged, at: t0.plus(minutes: 31)))
        #expect(effects.resolved.map(\.escalationID) == [EscalationRecord.id(requestID: request, kind: .ackOverdue)])
        #expect(effects.cancelDeadlines.count == 1)
        #expect(effects.cancelDeadlines.first?.kinds.contains(.acknowledge) == true)
        #expect(effects.cancelDeadlines.first?.kinds.contains(.freeze) == false)
        #expect(world.openEscalations(of: request).map(\.kind) == [.freezeOverdue])
        #expect(world.timer(request, .freeze)?.level == 2)
    }

    @Test("fired late after downtime: overdue seconds count from the deadline, levels catch up")
    func firedLate() throws {
        let world = routed()
        let deadline = t0.plus(minutes: 5)
        let back = t0.plus(hours: 3)
        let firings = world.fireDue(at: back)
        let ack = firings.flatMap(\.escalationEvents).filter { $0.kind == .ackOverdue }
        #expect(ack.map(\.level) == [1, 2, 3])
        #expect(ack.allSatisfy { $0.overdueSeconds == Int(deadline.seconds(until: back)) && $0.raisedAt == back })
        let freeze = firings.flatMap(\.escalationEvents).filter { $0.kind == .freezeOverdue }
        #expect(freeze.map(\.level) == [1, 2, 3])
        #expect(freeze.allSatisfy { $0.overdueSeconds == 9000 })
        #expect(world.openTimers(of: request).isEmpty)
        #expect(firings.flatMap(\.statuses).allSatisfy { $0.status == .escalated })
    }

    @Test("the overdue seconds are capped at the contract's ten years")
    func overdueCapped() throws {
        let world = routed()
        let ack = try #require(world.timer(request, .acknowledge))
        let effects = world.fire(ack, at: t0.plus(hours: 24 * 365 * 11))
        #expect(effects.escalationEvents.first?.overdueSeconds == Escalation.maxOverdueSeconds)
    }

    // MARK: Holds

    @Test("a hold schedules its warning 12h before it lapses; the warning raises hold_expiring")
    func holdWarning() throws {
        let world = routed()
        let holdUntil = t0.plus(hours: 24 * 30)
        let frozen = world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: t0.plus(minutes: 4)))
        #expect(
            frozen.schedule == [
                Deadline(
                    requestID: request, kind: .holdExpiry, level: 1, deadline: holdUntil,
                    dueAt: holdUntil.plus(hours: -12))
            ])
        let timer = try #require(world.timer(request, .holdExpiry))

        let effects = world.fire(timer)
        #expect(effects.outcome == .escalated)
        let escalation = try #require(effects.escalationEvents.first)
        #expect(escalation.kind == .holdExpiring && escalation.level == 1)
        #expect(escalation.deadline == holdUntil)
        #expect(escalation.escalationID == EscalationRecord.id(requestID: request, kind: .holdExpiring))
        let status = try #require(effects.statuses.first)
        #expect(status.status == .holdExpiring)
        #expect(status.holdUntil == holdUntil)
        #expect(status.frozenAmount == Fixture.kzt("1000000"))
        #expect(effects.schedule.isEmpty, "a hold warning is raised once")
        #expect(world.openEscalations(of: request).map(\.kind) == [.holdExpiring])
    }

    @Test("a hold lapsing within 12h is warned about at once")
    func shortHold() throws {
        let world = routed()
        let answeredAt = t0.plus(minutes: 4)
        let holdUntil = answeredAt.plus(hours: 6)
        let frozen = world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: answeredAt))
        #expect(frozen.schedule.first?.dueAt == holdUntil.plus(hours: -12))
        let warnings = world.fireDue(at: answeredAt)
        #expect(warnings.flatMap(\.escalationEvents).map(\.kind) == [.holdExpiring])
    }

    @Test("a hold moved by milliseconds within one second gets its own open warning timer")
    func holdMovedWithinASecond() throws {
        let world = routed()
        let holdUntil = t0.plus(hours: 24 * 30).adding(.milliseconds(200))
        world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: t0.plus(minutes: 4)))
        let first = try #require(world.timer(request, .holdExpiry))
        let moved = holdUntil.adding(.milliseconds(500))
        let effects = world.answer(
            Fixture.response(
                .frozen, id: "moved", frozen: Fixture.kzt("1000000"), holdUntil: moved, at: t0.plus(minutes: 5)))
        #expect(effects.cancelDeadlines.first?.kinds.contains(.holdExpiry) == true)
        let second = try #require(effects.schedule.first)
        #expect(second.id != first.id, "the moved hold's timer has an id of its own")
        #expect(second.id.hasSuffix("/hold_expiry/1/\(moved.secondsSinceEpoch).700"))
        #expect(world.timer(request, .holdExpiry)?.deadline == moved, "the moved hold's warning is scheduled and open")
        #expect(world.openTimers(of: request).count == 1)
    }

    @Test("deadline ids: whole seconds as before, milliseconds after a point")
    func deadlineIDs() {
        let whole = Timestamp(secondsSinceEpoch: 1_796_173_435)
        #expect(
            Deadline(requestID: request, kind: .freeze, level: 2, deadline: whole, dueAt: whole).id
                == "\(CanonicalUUID.string(request))/freeze/2/1796173435")
        let at = Timestamp(secondsSinceEpoch: 1_796_173_435, nanoseconds: 7_999_999)
        #expect(
            Deadline(requestID: request, kind: .acknowledge, level: 1, deadline: at, dueAt: at).id
                == "\(CanonicalUUID.string(request))/acknowledge/1/1796173435.007")
    }

    @Test("an extended hold supersedes the warning and moves the timer")
    func holdExtended() throws {
        let world = routed()
        let holdUntil = t0.plus(hours: 24 * 30)
        world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: t0.plus(minutes: 4)))
        let oldTimer = try #require(world.timer(request, .holdExpiry))
        world.fire(oldTimer)

        let extended = holdUntil.plus(hours: 24 * 30)
        let at = holdUntil.plus(hours: -2)
        let effects = world.answer(
            Fixture.response(.frozen, id: "extension", frozen: Fixture.kzt("1000000"), holdUntil: extended, at: at))
        #expect(effects.outcome == .answered(.frozen))
        #expect(effects.resolved.map(\.resolution) == [.superseded])
        let resolved = try #require(effects.resolvedEvents.first)
        #expect(resolved.resolution == .superseded)
        #expect(resolved.escalationID == EscalationRecord.id(requestID: request, kind: .holdExpiring))
        #expect(resolved.detail?.contains(extended.rfc3339) == true)
        #expect(effects.cancelDeadlines.first?.kinds.contains(.holdExpiry) == true)
        #expect(effects.schedule.map(\.deadline) == [extended])
        #expect(world.timer(request, .holdExpiry)?.dueAt == extended.plus(hours: -12))
        #expect(world.openEscalations(of: request).isEmpty)
        #expect(world.record(request)?.holdUntil == extended)

        // The old warning, if it fired now, is spent: the hold it was about is gone.
        #expect(world.fire(oldTimer, at: at.plus(minutes: 1)).outcome == .deadlineMoot)
    }

    @Test("released closes the hold warning and stops its timer")
    func holdReleased() throws {
        let world = routed()
        let holdUntil = t0.plus(hours: 24 * 30)
        world.answer(
            Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: t0.plus(minutes: 4)))
        world.fire(try #require(world.timer(request, .holdExpiry)))
        let effects = world.answer(Fixture.response(.released, at: holdUntil.plus(hours: -1)))
        #expect(effects.outcome == .answered(.released))
        #expect(effects.resolved.map(\.resolution) == [.closed])
        #expect(effects.resolvedEvents.first?.detail?.contains("released") == true)
        #expect(effects.cancelDeadlines.first?.kinds.contains(.holdExpiry) == true)
        #expect(world.openTimers(of: request).isEmpty)
        #expect(world.openEscalations(of: request).isEmpty)
        #expect(effects.statuses(.released).first?.frozenAmount == nil)
    }

    @Test("a freeze without hold_until schedules no warning; a same-hold update keeps the timer")
    func holdUnchanged() throws {
        let world = routed()
        let noHold = world.answer(
            Fixture.response(.partiallyFrozen, frozen: Fixture.kzt("400000"), at: t0.plus(minutes: 4)))
        #expect(noHold.schedule.isEmpty)
        let holdUntil = t0.plus(hours: 24 * 10)
        world.answer(
            Fixture.response(
                .partiallyFrozen, id: "p2", frozen: Fixture.kzt("500000"), holdUntil: holdUntil, at: t0.plus(minutes: 9)
            ))
        let timer = try #require(world.timer(request, .holdExpiry))
        let same = world.answer(
            Fixture.response(
                .frozen, id: "f3", frozen: Fixture.kzt("1000000"), holdUntil: holdUntil, at: t0.plus(minutes: 19)))
        #expect(same.schedule.isEmpty)
        #expect(same.cancelDeadlines.first?.kinds.contains(.holdExpiry) == false)
        #expect(world.timer(request, .holdExpiry) == timer)
    }
}
