import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// Refusals counted on their group's open security escalation (schema 12): stored with the
/// escalation in the decision's transaction, found by group while open, not once closed, and
/// invisible to the metrics counts (one escalation, however many refusals).
@Suite struct SecurityTallyStoreTests {
    static let group = "unauthenticated_order signature_missing (unregistered agency)"

    static func opening(_ id: UUID, at time: Timestamp) -> Effects {
        var effects = Effects()
        effects.escalations = [
            EscalationRecord(
                escalationID: id, kind: .unauthenticatedOrder, level: 1, requestID: Fixture.uuid(1), caseID: "C-FORGED",
                bankID: nil,
                raisedAt: time, levelRaisedAt: time, deadline: nil, detail: "refused")
        ]
        effects.tallies = [SecurityTally(escalationID: id, group: group, refusals: 1)]
        return effects
    }

    static func counted(_ id: UUID, refusals: Int) -> Effects {
        var effects = Effects()
        effects.tallies = [SecurityTally(escalationID: id, group: group, refusals: refusals)]
        return effects
    }

    @Test func refusalsAreCountedOnTheGroupsOpenEscalationUntilItIsClosed() async throws {
        try await withRelayLedger { ledger, _ in
            let first = Fixture.uuid(101)
            let second = Fixture.uuid(102)
            #expect(try ledger.write { tx in try tx.openEscalation(securityGroup: Self.group) } == nil)
            try ledger.write { tx in
                try tx.apply(Self.opening(first, at: Fixture.time(0)), outbox: [], at: Fixture.time(0))
            }
            // 499 more refusals, each in its own transaction, as the intake's batches would be.
            for refusals in 2...500 {
                try ledger.write { tx in
                    let open = try #require(try tx.openEscalation(securityGroup: Self.group))
                    #expect(open.refusals == refusals - 1)
                    try tx.apply(
                        Self.counted(open.record.escalationID, refusals: refusals), outbox: [],
                        at: Fixture.time(Int64(refusals)))
                }
            }
            let open = try #require(try ledger.write { tx in try tx.openEscalation(securityGroup: Self.group) })
            #expect(
                open.record.escalationID == first && open.refusals == 500 && open.record.kind == .unauthenticatedOrder)
            #expect(
                try ledger.write { tx in
                    try tx.openEscalation(
                        securityGroup: "unauthenticated_order signature_invalid (unregistered agency)")
                } == nil)
            #expect(try ledger.count("escalations") == 1)
            #expect(try ledger.metricsSnapshot(now: Fixture.time(600)).counts == (try MetricsOracle.counts(ledger)))
            #expect(try MetricsOracle.counts(ledger).escalations.map(\.total) == [1])

            // An operator closes it: the group has none open; the next refusal opens another.
            var closing = Effects()
            closing.resolved = [
                EscalationClosure(escalationID: first, resolution: .closed, resolvedAt: Fixture.time(700))
            ]
            try ledger.write { tx in try tx.apply(closing, outbox: [], at: Fixture.time(700)) }
            #expect(try ledger.write { tx in try tx.openEscalation(securityGroup: Self.group) } == nil)
            try ledger.write { tx in
                try tx.apply(Self.opening(second, at: Fixture.time(800)), outbox: [], at: Fixture.time(800))
            }
            let reopened = try #require(try ledger.write { tx in try tx.openEscalation(securityGroup: Self.group) })
            #expect(reopened.record.escalationID == second && reopened.refusals == 1)
            #expect(
                try ledger.sql { db in
                    try db.scalar("SELECT refusals FROM escalations WHERE escalation_id = ?", [Stored.text(first)])
                        as Int?
                } == 500)
            #expect(try ledger.metricsSnapshot(now: Fixture.time(900)).counts == (try MetricsOracle.counts(ledger)))
        }
    }

    @Test func aGroupsOpenEscalationIsFoundThroughItsIndex() async throws {
        try await withRelayLedger { ledger, _ in
            let plan = try ledger.sql { db in
                try db.query(
                    "EXPLAIN QUERY PLAN SELECT * FROM escalations WHERE security_group = ? AND resolved_at IS NULL",
                    [Self.group]
                ) {
                    try $0["detail"] as String
                }
            }
            #expect(plan.contains { $0.contains("escalations_open_by_security_group") }, "\(plan)")
        }
    }
}
