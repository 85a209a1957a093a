import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Cross-case account links: a request naming an account other cases named gets `linked_cases`
/// on its status, and operators a `linked_account` notice; nothing of the other case but its ids.
@Suite("Cross-case account links")
struct AccountLinkTests {
    let t0 = Fixture.t0
    static let window = AccountLinkPolicy(window: .seconds(30 * 86_400))
    let mule = Fixture.alphaAccount(77)

    func world(_ links: AccountLinkPolicy = window, quotas: IntakeQuotas = .unlimited) -> RelayWorld {
        RelayWorld(Fixture.engine(quotas: quotas, accountLinks: links))
    }

    func request(_ n: Int, case caseID: String, iban: IBAN? = nil, at time: Timestamp? = nil) -> FreezeRequest {
        Fixture.request(Fixture.uuid(n), caseID: caseID, iban: iban ?? mule, issuedAt: time ?? t0)
    }

    func notices(_ effects: Effects) -> [(OutgoingEvent, LinkedAccount)] {
        effects.events.compactMap { event in
            if case .linkedAccount(let notice) = event.event { (event, notice) } else { nil }
        }
    }

    @Test("two cases share a mule account: the second is linked to the first, on its status and in a notice")
    func twoCasesShareAnAccount() throws {
        let world = world()
        let first = world.receive(request(1, case: "CASE-A"))
        #expect(first.statuses.first?.linkedCases == [] && notices(first).isEmpty, "nothing to link to yet")

        let second = world.receive(request(2, case: "CASE-B", at: t0.plus(hours: 3)))
        #expect(second.outcome == .routed, "a link changes nothing of the decision")
        let status = try #require(second.statuses.first { $0.status == .routed })
        #expect(status.linkedCases == [LinkedCase(caseID: "CASE-A", requestID: Fixture.uuid(1))])
        let (event, notice) = try #require(notices(second).first)
        #expect(notices(second).count == 1)
        #expect(event.topic == world.policy.topics.escalations && event.key == "CASE-B")
        #expect(notice.requestID == Fixture.uuid(2) && notice.caseID == "CASE-B" && notice.bankID == Fixture.alpha)
        #expect(notice.linkedCases == status.linkedCases && notice.linkedCaseCount == 1)
        #expect(second.escalations.isEmpty, "a notice, not an escalation to chase")
        #expect(second.audit.contains { $0.detail.hasPrefix("linked:") && $0.requestID == Fixture.uuid(2) })
        // Ids only: neither the account nor the holder's name.
        for text in [notice.detail, status.detail] + second.audit.map(\.detail) {
            #expect(!text.contains(mule.electronicFormat) && !text.contains("Ivan"))
        }
    }

    @Test("requests of the same case for the same account are not links")
    func sameCaseIsNoLink() {
        let world = world()
        world.receive(request(1, case: "CASE-A"))
        let again = world.receive(request(2, case: "CASE-A", at: t0.plus(minutes: 5)))
        #expect(again.statuses.allSatisfy { $0.linkedCases.isEmpty } && notices(again).isEmpty)
    }

    @Test("off: nothing is added, whatever the ledger holds")
    func off() {
        let linked = world()
        let plain = world(.off)
        for world in [linked, plain] { world.receive(request(1, case: "CASE-A")) }
        let withLinks = linked.receive(request(2, case: "CASE-B"))
        let without = plain.receive(request(2, case: "CASE-B"))
        #expect(!notices(withLinks).isEmpty)
        #expect(notices(without).isEmpty && without.statuses.allSatisfy { $0.linkedCases.isEmpty })
        #expect(without.events.count == withLinks.events.count - 1 && without.audit.count == withLinks.audit.count - 1)
    }

    @Test("a closed request links only within the window; an open one links however old")
    func window() throws {
        let engine = Fixture.engine(accountLinks: Self.window)
        let now = t0.plus(hours: 24 * 40)
        func sighting(_ caseID: String, _ n: Int, _ state: RequestState, daysAgo: Int64) -> AccountSighting {
            AccountSighting(
                caseID: caseID, requestID: Fixture.uuid(n), state: state, receivedAt: now.plus(hours: -24 * daysAgo))
        }
        let sightings = [
            sighting("OPEN-OLD", 10, .routed, daysAgo: 35),
            sighting("FROZEN-OLD", 11, .frozen, daysAgo: 300),
            sighting("CLOSED-RECENT", 12, .released, daysAgo: 29),
            sighting("CLOSED-OLD", 13, .rejected, daysAgo: 31),
            sighting("HELD-OLD", 14, .held, daysAgo: 60),
            sighting("REFUSED-OLD", 15, .refused, daysAgo: 60),
        ]
        let (listed, count) = engine.linkedCases(of: "MINE", in: sightings, now: now)
        #expect(Set(listed.map(\.caseID)) == ["OPEN-OLD", "FROZEN-OLD", "CLOSED-RECENT", "HELD-OLD"])
        #expect(count == 4)
        // Exactly at the window's edge a closed request still links.
        let edge = sighting("EDGE", 16, .cancelled, daysAgo: 30)
        #expect(engine.linkedCases(of: "MINE", in: [edge], now: now).count == 1)
        let justPast = AccountSighting(
            caseID: "PAST", requestID: Fixture.uuid(17), state: .cancelled,
            receivedAt: now.adding(.zero - .seconds(30 * 86_400 + 1)))
        #expect(engine.linkedCases(of: "MINE", in: [justPast], now: now).count == 0)
    }

    @Test("one entry per case (its newest request), newest first, at most 20 listed and all counted")
    func manyCases() throws {
        let engine = Fixture.engine(accountLinks: Self.window)
        var sightings: [AccountSighting] = []
        for n in 0..<25 {
            sightings.append(
                AccountSighting(
                    caseID: "CASE-\(n)", requestID: Fixture.uuid(100 + n), state: .routed,
                    receivedAt: t0.plus(minutes: Int64(n))))
        }
        // CASE-3 named the account again, most recently of all.
        sightings.append(
            AccountSighting(
                caseID: "CASE-3", requestID: Fixture.uuid(999), state: .released, receivedAt: t0.plus(hours: 5)))
        let (listed, count) = engine.linkedCases(of: "MINE", in: sightings.shuffled(), now: t0.plus(hours: 6))
        #expect(count == 25)
        #expect(listed.count == LinkedCase.maxListed)
        #expect(listed.first == LinkedCase(caseID: "CASE-3", requestID: Fixture.uuid(999)))
        #expect(listed.dropFirst().map(\.caseID) == (6...24).reversed().map { "CASE-\($0)" })
        #expect(Set(listed.map(\.caseID)).count == listed.count)
    }

    @Test("more than 20 cases: the notice says how many, and still passes the contract")
    func noticeCountsAll() throws {
        let world = world()
        for n in 0..<22 { world.receive(request(10 + n, case: "CASE-\(n)", at: t0.plus(minutes: Int64(n)))) }
        let last = world.receive(request(99, case: "CASE-NEW", at: t0.plus(hours: 1)))
        let (_, notice) = try #require(notices(last).first)
        #expect(notice.linkedCaseCount == 22 && notice.linkedCases.count == 20)
        #expect(notice.detail.contains("22 other case(s)") && notice.detail.contains("20 most recent listed"))
    }

    @Test("a follow-up request from chain following is linked too")
    func chainChild() throws {
        let world = world()
        // Case A named beta account 5 earlier.
        world.receive(request(1, case: "CASE-A", iban: Fixture.betaAccount(5)))
        // Case B's money moves on into that very account.
        world.receive(request(2, case: "CASE-B", iban: Fixture.alphaAccount(2), at: t0.plus(minutes: 1)))
        let transfer = Fixture.toAccount(Fixture.betaAccount(5), Fixture.kzt("400000"), ref: "TRX-B-1")
        let effects = world.answer(
            Fixture.response(.fundsMoved, for: Fixture.uuid(2), transfers: [transfer], at: t0.plus(minutes: 20)))
        let child = DeterministicIDs.childRequestID(parent: Fixture.uuid(2), transferReference: "TRX-B-1")
        let childStatus = try #require(effects.statuses.first { $0.requestID == child && $0.status == .routed })
        #expect(childStatus.linkedCases == [LinkedCase(caseID: "CASE-A", requestID: Fixture.uuid(1))])
        #expect(notices(effects).map(\.1.requestID) == [child])
        // The parent's funds_moved status is about an existing request: no links on it.
        #expect(effects.statuses.filter { $0.requestID == Fixture.uuid(2) }.allSatisfy { $0.linkedCases.isEmpty })
    }

    @Test("a held request is linked when it is held; its later release adds nothing")
    func held() throws {
        let quotas = IntakeQuotas(account: .init(openRequests: 1))
        let world = world(quotas: quotas)
        world.receive(request(1, case: "CASE-A"))
        let usage = QuotaUsage(
            issuer: QuotaIssuer(registeredID: nil, agency: Fixture.issuer.agency), accountOpen: 1)
        let held = world.receive(request(2, case: "CASE-B", at: t0.plus(minutes: 3)), quota: usage)
        #expect(held.outcome == .held)
        #expect(held.statuses.first { $0.status == .held }?.linkedCases.map(\.caseID) == ["CASE-A"])
        #expect(notices(held).count == 1)
        let released = world.release(Fixture.uuid(2), at: t0.plus(minutes: 10))
        #expect(notices(released).isEmpty && released.statuses.allSatisfy { $0.linkedCases.isEmpty })
    }

    @Test("only requests created by the decision are linked: a duplicate re-send adds nothing")
    func duplicates() {
        let world = world()
        world.receive(request(1, case: "CASE-A"))
        world.receive(request(2, case: "CASE-B"))
        let again = world.receive(request(2, case: "CASE-B"))
        #expect(again.outcome == .duplicate && notices(again).isEmpty)
    }
}
