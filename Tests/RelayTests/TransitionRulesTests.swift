import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// The state machine on every (state × bank status) pair, then the same pairs through
/// `RelayEngine.answer` to check that each kind of transition has the effects it promises.
@Suite("Transition rules")
struct TransitionRulesTests {
    enum Expected: Equatable, CustomStringConvertible {
        case advance(RequestState)
        case repeated, ignore, refuse
        var description: String {
            switch self {
            case .advance(let state): "advance(\(state.rawValue))"
            case .repeated: "repeated"
            case .ignore: "ignore"
            case .refuse: "refuse"
            }
        }
    }

    static let hold = Fixture.t0.plus(hours: 24 * 30)

    /// The rules, written out independently of the implementation.
    static func expected(_ state: RequestState, _ status: BankResponseStatus) -> Expected {
        switch (state, status) {
        case (.unroutable, _), (.held, _), (.refused, _): return .refuse
        // Anything but acknowledged in a final or holding state is judged below; acknowledged
        // after any answer is stale and harmless.
        case (.routed, .acknowledged): return .advance(.acknowledged)
        case (.acknowledged, .acknowledged): return .repeated
        case (_, .acknowledged): return .ignore
        // Released only after something was frozen, or after a cancel.
        case (.routed, .released), (.acknowledged, .released): return .refuse
        case (.routed, _), (.acknowledged, _): return .advance(RequestState(status))
        case (.frozen, .frozen): return .repeated
        case (.frozen, .released): return .advance(.released)
        case (.frozen, _): return .refuse
        case (.partiallyFrozen, .partiallyFrozen): return .repeated
        case (.partiallyFrozen, .frozen): return .advance(.frozen)
        case (.partiallyFrozen, .released): return .advance(.released)
        // Money reported blocked cannot have moved on (as after frozen); rejected and not found contradict the freeze.
        case (.partiallyFrozen, _): return .refuse
        case (.rejected, .rejected), (.accountNotFound, .accountNotFound), (.released, .released): return .repeated
        // A bank may report more transfers out of an account it already reported emptied.
        case (.fundsMoved, .fundsMoved): return .advance(.fundsMoved)
        case (.cancelled, .released): return .advance(.released)
        case (.rejected, _), (.accountNotFound, _), (.fundsMoved, _), (.released, _), (.cancelled, _): return .refuse
        }
    }

    /// What the bank currently reports, for states that hold funds: the whole million frozen, or 400k.
    static func record(_ state: RequestState) -> RequestRecord {
        switch state {
        case .frozen: Fixture.record(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: hold)
        case .partiallyFrozen: Fixture.record(.partiallyFrozen, frozen: Fixture.kzt("400000"), holdUntil: hold)
        default: Fixture.record(state)
        }
    }

    /// A valid answer of each status; for frozen and partially_frozen the same details the records above hold.
    static func answer(_ status: BankResponseStatus, at time: Timestamp = Fixture.t0.plus(minutes: 3)) -> BankResponse {
        switch status {
        case .frozen: Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: hold, at: time)
        case .partiallyFrozen:
            Fixture.response(.partiallyFrozen, frozen: Fixture.kzt("400000"), holdUntil: hold, at: time)
        case .fundsMoved:
            Fixture.response(
                .fundsMoved,
                transfers: [Fixture.toAccount(Fixture.betaAccount(7), Fixture.kzt("1000000"), ref: "TRX-1")], at: time)
        default: Fixture.response(status, at: time)
        }
    }

    static func kind(_ transition: Transition) -> Expected {
        switch transition {
        case .advance(let state): .advance(state)
        case .repeated: .repeated
        case .ignore: .ignore
        case .refuse: .refuse
        }
    }

    @Test(
        "every (state, status) pair gives the expected kind of transition", arguments: RequestState.allCases,
        BankResponseStatus.allCases)
    func everyPair(state: RequestState, status: BankResponseStatus) {
        let transition = TransitionRules.evaluate(Self.record(state), answer: Self.answer(status))
        #expect(Self.kind(transition) == Self.expected(state, status), "\(state.rawValue) + \(status.rawValue)")
        switch transition {
        case .refuse(let why), .ignore(let why):
            #expect(!why.isEmpty)
        default:
            break
        }
    }

    @Test(
        "every pair through answer(): advance changes the request, the others change nothing but the log",
        arguments: RequestState.allCases, BankResponseStatus.allCases)
    func everyPairThroughTheEngine(state: RequestState, status: BankResponseStatus) {
        let engine = Fixture.engine()
        let record = Self.record(state)
        let response = Self.answer(status)
        let effects = engine.answer(
            response, fingerprint: ContentFingerprint(response), from: Fixture.alpha,
            context: .init(record: record), previous: nil,
            case: CaseContext(caseID: Fixture.caseID, requests: [record]),
            cause: .record(topic: "freeze.bank.alpha.responses", partition: 0, offset: 7, eventID: response.id),
            now: response.respondedAt)
        checkContracts(effects, policy: engine.policy)
        let seen = ResponseSeen(
            bankID: Fixture.alpha, responseID: response.responseID, requestID: record.requestID,
            fingerprint: ContentFingerprint(response))
        if state.awaitsRouting || state == .refused {
            // Never routed: no bank may answer it (see ForeignResponseTests).
            #expect(effects.outcome == .foreignResponse)
            #expect(effects.refusal?.code == .foreignResponse)
            #expect(effects.requests.isEmpty)
            return
        }
        switch Self.expected(state, status) {
        case .advance(let target):
            #expect(effects.outcome == .answered(target))
            #expect(effects.record(record.requestID)?.state == target)
            #expect(effects.statuses.first { $0.requestID == record.requestID }?.status == target.statusKind)
            #expect(effects.responses.contains(seen))
            #expect(effects.refusal == nil)
            #expect(effects.audit.contains { $0.oldState == state && $0.newState == target })
        case .repeated:
            #expect(effects.outcome == .repeated)
            #expect(effects.responses == [seen])
            #expect(
                effects.events.isEmpty && effects.requests.isEmpty && effects.audit.isEmpty && effects.refusal == nil)
            #expect(effects.schedule.isEmpty && effects.cancelDeadlines.isEmpty && effects.resolved.isEmpty)
        case .ignore:
            #expect(effects.outcome == .ignored)
            #expect(effects.responses == [seen])
            #expect(effects.events.isEmpty && effects.requests.isEmpty && effects.refusal == nil)
            #expect(effects.audit.count == 1)
            #expect(effects.audit.first?.oldState == state && effects.audit.first?.newState == state)
        case .refuse:
            #expect(effects.outcome == .invalidTransition)
            #expect(effects.refusal?.code == .invalidTransition)
            #expect(effects.refusal?.path == "status")
            #expect(effects.refusal?.message.contains(state.rawValue) == true)
            #expect(effects.refusal?.message.contains(status.rawValue) == true)
            #expect(effects.events.isEmpty && effects.requests.isEmpty && effects.responses.isEmpty)
            #expect(effects.schedule.isEmpty && effects.cancelDeadlines.isEmpty && effects.escalations.isEmpty)
        }
    }

    @Test("frozen after rejected is refused, with the reason")
    func frozenAfterRejected() {
        let transition = TransitionRules.evaluate(Self.record(.rejected), answer: Self.answer(.frozen))
        guard case .refuse(let why) = transition else {
            Issue.record("expected a refusal, got \(transition)")
            return
        }
        #expect(why.contains("rejected is final"))
    }

    @Test("acknowledged after frozen is ignored, not a regression")
    func acknowledgedAfterFrozen() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(Self.answer(.frozen, at: Fixture.t0.plus(minutes: 2)))
        let effects = world.answer(Fixture.response(.acknowledged, id: "late-ack", at: Fixture.t0.plus(minutes: 4)))
        #expect(effects.outcome == .ignored)
        #expect(world.record(Fixture.uuid(1))?.state == .frozen)
        #expect(effects.events.isEmpty)
        #expect(effects.audit.first?.detail.contains("stale") == true)
    }

    @Test("a repeated identical answer is a no-op, under a new response_id (rules) and the same one (dedupe)")
    func repeatedAnswer() {
        let world = RelayWorld()
        world.receive(Fixture.request())
        let first = Self.answer(.frozen, at: Fixture.t0.plus(minutes: 2))
        world.answer(first)
        let before = world.record(Fixture.uuid(1))

        // Same content, the bank's new response id: TransitionRules says repeated.
        var resent = first
        resent.responseID = "resp-frozen-again"
        resent.id = Fixture.uuid(4242)
        let viaRules = world.answer(resent, at: Fixture.t0.plus(minutes: 9))
        #expect(viaRules.outcome == .repeated)
        #expect(viaRules.events.isEmpty && viaRules.requests.isEmpty && viaRules.audit.isEmpty)

        // The very same message again (same response id, same content): a duplicate, nothing at all.
        let viaDedupe = world.answer(first, at: Fixture.t0.plus(minutes: 10))
        #expect(viaDedupe.outcome == .duplicate)
        #expect(viaDedupe.isEmpty)
        #expect(world.record(Fixture.uuid(1)) == before)
    }

    @Test("a frozen update with a new amount or hold advances (stays frozen with the new details)")
    func frozenUpdate() {
        let record = Self.record(.frozen)
        let higher = Fixture.response(.frozen, frozen: Fixture.kzt("1000000"), holdUntil: Self.hold.plus(hours: 24))
        #expect(TransitionRules.evaluate(record, answer: higher) == .advance(.frozen))
        let otherAmount = Fixture.response(.frozen, frozen: Fixture.kzt("900000"), holdUntil: Self.hold)
        #expect(TransitionRules.evaluate(record, answer: otherAmount) == .advance(.frozen))
    }

    @Test("partially_frozen again with new transfers advances, even with the same amount and hold")
    func partialWithNewTransfers() {
        let record = Self.record(.partiallyFrozen)
        let more = Fixture.response(
            .partiallyFrozen, frozen: Fixture.kzt("400000"), holdUntil: Self.hold,
            transfers: [Fixture.toAccount(Fixture.betaAccount(3), Fixture.kzt("100000"), ref: "TRX-9")])
        #expect(TransitionRules.evaluate(record, answer: more) == .advance(.partiallyFrozen))
    }

    @Test("funds_moved after partially_frozen is refused: the blocked part, its hold and its totals stay")
    func fundsMovedAfterPartial() throws {
        let world = RelayWorld()
        world.receive(Fixture.request())
        world.answer(
            Fixture.response(
                .partiallyFrozen, frozen: Fixture.kzt("400000"), holdUntil: Self.hold,
                transfers: [Fixture.toAccount(Fixture.betaAccount(1), Fixture.kzt("600000"), ref: "PF-1")],
                at: Fixture.t0.plus(minutes: 5)))
        let totals = world.totals()
        let effects = world.answer(
            Fixture.response(
                .fundsMoved,
                transfers: [Fixture.toAccount(Fixture.deltaAccount(1), Fixture.kzt("400000"), ref: "PF-2")],
                at: Fixture.t0.plus(minutes: 30)))
        #expect(effects.outcome == .invalidTransition)
        #expect(effects.refusal?.message.contains("cannot have moved on") == true)
        #expect(world.record(Fixture.uuid(1))?.state == .partiallyFrozen)
        #expect(world.timer(Fixture.uuid(1), .holdExpiry) != nil)
        #expect(world.totals() == totals)
        #expect(world.totals()?.frozen == Fixture.kzt("400000"))
    }

    @Test("released is only accepted once something was frozen, or after a cancel")
    func releasedOnlyAfterFreezeOrCancel() {
        for state in RequestState.allCases {
            let accepted =
                TransitionRules.evaluate(Self.record(state), answer: Self.answer(.released)) == .advance(.released)
            #expect(
                accepted == [.frozen, .partiallyFrozen, .cancelled].contains(state), "released in \(state.rawValue)")
        }
    }
}
