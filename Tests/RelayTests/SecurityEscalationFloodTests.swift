import Authenticity
import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// A flood of refused forgeries opens one escalation per group (kind, failure, sender), counted
/// and sent again only at 10, 100, 1000… refusals; every refusal keeps its dead letter and audit.
@Suite("Security escalation floods")
struct SecurityEscalationFloodTests {
    static let mvd = "Ministry of Internal Affairs"
    static let kgb = "National Security Committee"

    /// An engine whose registry lists two agencies (of two issuers), so they group apart.
    static func world() throws -> RelayWorld {
        var policy = Fixture.policy()
        policy.issuers = try IssuerRegistry(
            policy: .require,
            issuers: [
                IssuerRegistry.Issuer(id: "mvd", agencies: [mvd], keys: []),
                IssuerRegistry.Issuer(id: "knb", agencies: [kgb], keys: []),
            ])
        return RelayWorld(RelayEngine(policy: policy))
    }

    static func order(_ n: Int, agency: String = mvd) -> PoliceMessage {
        var request = Fixture.request(Fixture.uuid(n))
        request.issuer.agency = agency
        return .request(request)
    }

    static let missing = AuthenticityProblem(.signatureMissing, "no fr-signature header")
    static let invalid = AuthenticityProblem(.signatureInvalid, "the signature does not verify")

    func securityEscalations(_ world: RelayWorld, ids: [UUID]) -> [EscalationRecord] {
        ids.compactMap { world.escalation($0)?.record }
    }

    @Test("the escalation is sent again at 10, 100, 1000… refusals only")
    func thresholds() {
        let reported = (1...20_000).filter(SecurityEscalationGroup.isReported(afterRefusals:))
        #expect(reported == [10, 100, 1000, 10_000])
    }

    @Test(
        "1,000 unsigned orders from one agency: one open escalation, sent at refusals 1, 10, 100 and 1000; a dead letter and an audit entry each"
    )
    func floodOfOneGroup() throws {
        let world = try Self.world()
        var sent: [(refusal: Int, escalation: Escalation)] = []
        var escalationIDs: Set<UUID> = []
        for n in 1...1000 {
            let effects = world.refuse(Self.order(n), Self.missing, at: Fixture.t0.plus(minutes: Int64(n)))
            #expect(effects.refusal?.code == .signatureMissing)
            #expect(
                effects.audit.count == 1 && effects.audit.first?.isSecurityEvent == true
                    && effects.audit.first?.requestID == Fixture.uuid(n))
            #expect(effects.outcome == .unauthenticated)
            #expect(effects.tallies.map(\.refusals) == [n])
            escalationIDs.formUnion(effects.tallies.map(\.escalationID))
            sent += effects.escalationEvents.map { (n, $0) }
        }
        #expect(escalationIDs.count == 1, "every refusal is counted on the one escalation")
        #expect(sent.map(\.refusal) == [1, 10, 100, 1000])
        let id = try #require(escalationIDs.first)
        #expect(
            sent.allSatisfy {
                $0.escalation.escalationID == id && $0.escalation.kind == .unauthenticatedOrder
                    && $0.escalation.level == 1
            })
        #expect(Set(sent.map(\.escalation.id)).count == 4, "each sending is its own event")
        #expect(
            sent.allSatisfy { $0.escalation.raisedAt == Fixture.t0.plus(minutes: 1) },
            "raised when the first refusal came")
        let last = sent[3].escalation
        #expect(
            last.detail.hasPrefix(
                "1000 refusals (signature_missing, agency \(Self.mvd)) since this escalation was raised"))
        #expect(
            last.detail.contains("request \(CanonicalUUID.string(Fixture.uuid(1000)))"),
            "names the latest refused request")
        #expect(last.requestID == Fixture.uuid(1), "the escalation stays about the request that opened it")
        let stored = try #require(world.escalation(id))
        #expect(stored.resolution == nil && stored.record.detail == last.detail)
        #expect(
            world.openEscalation(securityGroup: world.engine.securityGroup(of: Self.order(1), problem: Self.missing))?
                .refusals == 1000)
        #expect(
            world.history.flatMap(\.audit).last?.detail.hasSuffix(
                "counted on open escalation \(CanonicalUUID.string(id)) (refusal 1000)") == true)
    }

    @Test(
        "another failure code, another registered agency, another bank: each opens its own; invented agencies share one"
    )
    func groupsApart() throws {
        let world = try Self.world()
        func opened(_ effects: Effects) -> UUID? { effects.escalations.first?.escalationID }
        let first = try #require(opened(world.refuse(Self.order(1), Self.missing)))
        #expect(opened(world.refuse(Self.order(2), Self.missing)) == nil)
        let otherCode = try #require(opened(world.refuse(Self.order(3), Self.invalid)))
        let otherAgency = try #require(opened(world.refuse(Self.order(4, agency: Self.kgb), Self.missing)))
        let invented = try #require(opened(world.refuse(Self.order(5, agency: "Fake"), Self.missing)))
        #expect(
            opened(world.refuse(Self.order(6, agency: "Fake 2"), Self.missing)) == nil,
            "a forger names agencies at will; unregistered ones share one group")
        #expect(
            opened(world.refuse(.cancel(Fixture.cancel(Fixture.uuid(7))), Self.missing)) == nil,
            "a cancel from the same agency is the same group")
        let alpha = try #require(
            opened(world.refuse(Fixture.response(.frozen, for: Fixture.uuid(8)), from: Fixture.alpha, Self.missing)))
        let beta = try #require(
            opened(world.refuse(Fixture.response(.frozen, for: Fixture.uuid(9)), from: Fixture.beta, Self.missing)))
        #expect(
            opened(world.refuse(Fixture.response(.frozen, for: Fixture.uuid(10)), from: Fixture.alpha, Self.missing))
                == nil)
        #expect(Set([first, otherCode, otherAgency, invented, alpha, beta]).count == 6)
        #expect(
            world.tallies[first]?.refusals == 3 && world.tallies[invented]?.refusals == 2
                && world.tallies[alpha]?.refusals == 2)
        #expect(
            world.escalation(alpha)?.record.kind == .unauthenticatedAnswer
                && world.escalation(alpha)?.record.bankID == Fixture.alpha)
    }

    @Test(
        "once an operator closed the group's escalation, the next refusal opens a new one with a new id, counted from 1"
    )
    func closedThenNew() throws {
        let world = try Self.world()
        let first = try #require(world.refuse(Self.order(1), Self.missing).escalations.first)
        for n in 2...12 { world.refuse(Self.order(n), Self.missing) }
        world.close(first.escalationID)
        let reopened = world.refuse(Self.order(13), Self.missing)
        let second = try #require(reopened.escalations.first)
        #expect(second.escalationID != first.escalationID)
        #expect(reopened.escalationEvents.map(\.escalationID) == [second.escalationID])
        #expect(reopened.tallies.map(\.refusals) == [1])
        #expect(world.refuse(Self.order(14), Self.missing).escalations.isEmpty, "the new one counts the next")
        #expect(world.tallies[first.escalationID]?.refusals == 12 && world.tallies[second.escalationID]?.refusals == 2)
    }
}
