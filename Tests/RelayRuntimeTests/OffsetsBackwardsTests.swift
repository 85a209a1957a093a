import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import Ledger
@testable import RelayRuntime

/// Offsets that go backwards — a topic deleted and re-created, a broker that lost its data, a
/// cluster rebuilt, a ledger restored onto a new cluster — must neither drop new requests as
/// "already applied" nor re-apply blindly: the partition halts, operators are told everywhere they
/// look, and an explicit re-base decides where it continues.
@Suite("Offsets that go backwards", .serialized)
struct OffsetsBackwardsTests {
    /// Requests spread over the partitions by their keys.
    static func requests(_ count: Int, case prefix: String) -> [FreezeRequest] {
        (0..<count).map { index in
            freezeRequest(
                caseID: "\(prefix)-\(index)",
                iban: kzIBAN(bank: [alphaCode, betaCode, gammaCode][index % 3], account: 7000 + index))
        }
    }

    @Test(
        "a ledger moved to a rebuilt cluster halts each partition instead of skipping its new requests; a re-base routes them all once"
    )
    func rebuiltCluster() async throws {
        // The first cluster: 30 requests routed; a restart on it verifies and goes on.
        let first = try Harness()
        let old = Self.requests(30, case: "OLD")
        try first.start()
        for request in old { try await first.publishRequest(request) }
        try await first.watcher.waitFor("the first cluster's requests routed") {
            Set($0.routed().map(\.requestID)) == Set(old.map(\.requestID))
        }
        try await first.stop()
        let restarted = try first.start()
        let extra = freezeRequest(caseID: "OLD-EXTRA", iban: kzIBAN(bank: alphaCode, account: 7100))
        try await first.publishRequest(extra)
        try await first.watcher.waitFor("a request after the restart routed") { !$0.routed(extra.requestID).isEmpty }
        // Each partition's last applied record was read again, recognised and skipped.
        // (Counted when the batch lands, which may be just after its events went out.)
        try await eventually("the re-read records counted as skipped") {
            restarted.metricsText().contains("freeze_relay_records_skipped_total{topic=\"freeze.requests\"} 3")
        }
        try await first.stop()
        let positions = try first.readLedger { try $0.partitionPositions() }.filter { $0.topic == "freeze.requests" }
        #expect(positions.count == 3 && positions.allSatisfy { $0.lastDigest?.count == 20 })
        await first.shutdown(keepingLedger: true)

        // The same ledger, a new cluster whose requests topic holds 30 other requests at offsets
        // the ledger has already applied on the old one.
        let second = try Harness(directory: first.directory)
        defer { Task { await second.shutdown() } }
        let new = Self.requests(30, case: "NEW")
        for request in new { try await second.publishRequest(request) }
        let daemon = try second.start()
        try await eventually("every partition of the requests topic halted", timeout: .seconds(60)) {
            try second.readLedger { try $0.partitionHalts() }.filter { $0.topic == "freeze.requests" }.count == 3
        }
        let halts = try second.readLedger { try $0.partitionHalts() }
        #expect(Set(halts.map(\.code)).isSubset(of: [.recordMismatch, .logEndsBeforePosition]))
        // Operators see it: readiness, metrics, a notice on the escalations topic, the audit trail.
        let report = daemon.health()
        #expect(!report.isReady)
        #expect(report.reasons.filter { $0.hasPrefix("intake halted on freeze.requests[") }.count == 3)
        #expect(daemon.metricsText().contains("freeze_relay_partitions_halted 3"))
        let notices = try await second.watcher.waitFor("the halt notices") {
            $0.intakeNotices(.partitionHalted).count == 3
        }
        .intakeNotices(.partitionHalted)
        #expect(Set(notices.map(\.partition)) == [0, 1, 2])
        #expect(notices.allSatisfy { $0.ledgerPosition != nil && $0.detail.contains("freeze-relay rebase") })
        #expect(try second.count("audit", where: "cause LIKE 'freeze.requests/%' AND security = 1") == 3)
        // Nothing of the new cluster's requests was applied, nor dropped as "already applied".
        #expect(second.watcher.all.routed().isEmpty)
        #expect(try second.count("requests", where: "case_id LIKE 'NEW-%'") == 0)

        // An operator decides: read the re-created partitions from their beginning.
        for halt in halts {
            _ = try Ledger.submitRebaseRequest(
                at: second.ledgerPath, topic: halt.topic, partition: halt.partition, target: KafkaConsumer.beginning,
                note: "cluster rebuilt; re-read everything", requestedBy: "test", at: t0)
        }
        let seen = try await second.watcher.waitFor("every new request routed") {
            Set($0.routed().map(\.requestID)) == Set(new.map(\.requestID))
        }
        #expect(seen.routed().count == new.count)
        let rebased = try await second.watcher.waitFor("the re-base notices") {
            $0.intakeNotices(.partitionRebased).count == 3
        }.intakeNotices(.partitionRebased)
        #expect(
            rebased.allSatisfy {
                $0.epoch == 1 && $0.newPosition == IntakeNotice.fromBeginning
                    && $0.note == "cluster rebuilt; re-read everything"
            })
        #expect(try second.readLedger { try $0.partitionHalts() }.isEmpty)
        #expect(try second.count("rebase_requests", where: "done_at IS NULL") == 0)
        #expect(
            try second.readLedger { try $0.partitionPositions() }.filter { $0.topic == "freeze.requests" }.allSatisfy {
                $0.epoch == 1
            })
        #expect(try second.count("audit", where: "cause = 'rebase'") == 3)
        try await eventually("ready again") { daemon.health().isReady }
    }

    @Test(
        "a partition shorter than the ledger's position halts at assignment, and a re-base to an offset continues from there"
    )
    func logEndsBeforePosition() async throws {
        let first = try Harness()
        let old = Self.requests(12, case: "OLD")
        try first.start()
        for request in old { try await first.publishRequest(request) }
        try await first.watcher.waitFor("routed") { $0.routed().count == old.count }
        try await first.stop()
        await first.shutdown(keepingLedger: true)

        // The new cluster's topic is empty: every partition ends (at 0) before the positions.
        let second = try Harness(directory: first.directory)
        defer { Task { await second.shutdown() } }
        let daemon = try second.start()
        try await eventually("halted", timeout: .seconds(60)) {
            try second.readLedger { try $0.partitionHalts() }.filter { $0.topic == "freeze.requests" }.count == 3
        }
        let halts = try second.readLedger { try $0.partitionHalts() }
        #expect(halts.allSatisfy { $0.code == .logEndsBeforePosition && $0.logEnd == 0 && ($0.position ?? 0) > 0 })
        // A request sent now is not applied while its partition is halted...
        let late = freezeRequest(caseID: "LATE", iban: kzIBAN(bank: alphaCode, account: 7200))
        try await second.publishRequest(late)
        try await Task.sleep(for: .seconds(2))
        #expect(try second.count("requests", where: "case_id = 'LATE'") == 0)
        // ...and is, once each partition is re-based to offset 0.
        for halt in halts {
            _ = try Ledger.submitRebaseRequest(
                at: second.ledgerPath, topic: halt.topic, partition: halt.partition, target: 0,
                note: "topic re-created empty", requestedBy: "test", at: t0)
        }
        try await second.watcher.waitFor("the late request routed") { !$0.routed(late.requestID).isEmpty }
        _ = daemon
    }

    @Test(
        "re-basing a partition that is being read, backwards, while records keep arriving: it is re-read in order, nothing halts"
    )
    func rebaseWhileReading() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let first = Self.requests(30, case: "FIRST")
        for request in first { try await harness.publishRequest(request) }
        try await harness.watcher.waitFor("routed") { $0.routed().count == first.count }
        let busiest = try harness.readLedger { try $0.partitionPositions() }.filter { $0.topic == "freeze.requests" }
            .max { $0.nextOffset < $1.nextOffset }!
        // More records arrive while the operator moves the partition back to its beginning.
        let more = Self.requests(30, case: "MORE")
        let sending = Task { for request in more { try await harness.publishRequest(request) } }
        _ = try Ledger.submitRebaseRequest(
            at: harness.ledgerPath, topic: busiest.topic, partition: busiest.partition, target: 0,
            note: "re-read to check", requestedBy: "test", at: t0)
        try await sending.value
        try await harness.watcher.waitFor("the later requests routed") {
            Set($0.routed().map(\.requestID)).isSuperset(of: more.map(\.requestID))
        }
        try await eventually("the partition read again past its old position") {
            try harness.readLedger { try $0.partitionPositions() }.first {
                $0.topic == busiest.topic && $0.partition == busiest.partition
            }.map {
                $0.epoch == 1 && $0.nextOffset >= busiest.nextOffset
            } ?? false
        }
        #expect(try harness.readLedger { try $0.partitionHalts() }.isEmpty)
        // Re-read requests were recognised by their request id: each routed once.
        let routed = harness.watcher.all.routed()
        #expect(routed.count == first.count + more.count && Set(routed.map(\.requestID)).count == routed.count)
    }

    @Test("a re-base request the daemon cannot carry out is refused with the reason, and changes nothing")
    func invalidRebaseRefused() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let ready = freezeRequest(caseID: "R", iban: kzIBAN(bank: alphaCode, account: 7300))
        try await harness.publishRequest(ready)
        try await harness.watcher.waitFor("routed") { !$0.routed(ready.requestID).isEmpty }
        let sequence = try Ledger.submitRebaseRequest(
            at: harness.ledgerPath, topic: "freeze.requests", partition: 0, target: -1,
            note: "typo", requestedBy: "test", at: t0)
        try await eventually("the request answered") {
            try harness.readLedger { try $0.rebaseRequestOutcome(sequence) } != nil
        }
        #expect(
            try harness.readLedger { try $0.rebaseRequestOutcome(sequence) }?.outcome.hasPrefix("refused: target -1")
                == true)
        #expect(try harness.count("audit", where: "cause = 'rebase'") == 0)
    }

    @Test(
        "readiness fails when the consumer holds no partition for longer than the stall timeout, although the broker answers"
    )
    func noAssignmentIsNotReady() async throws {
        let harness = try Harness(brokers: 2)
        defer { Task { await harness.shutdown() } }
        // The group's coordinator is down: the consumer can never join, the other broker answers metadata.
        try harness.cluster.setGroupCoordinator(group: "relay", broker: 2)
        try harness.cluster.setBrokerDown(2)
        for partition in Int32(0)..<3 {
            try harness.cluster.setPartitionLeader(topic: "freeze.requests", partition: partition, broker: 1)
        }
        let daemon = try harness.start()
        try await Task.sleep(for: .seconds(2))
        #expect(daemon.health().intakeStall == nil)
        harness.clock.advance(by: .seconds(61))
        let report = daemon.health()
        #expect(report.brokerReachable)
        #expect(report.intakeStall?.contains("no partition assigned for 61 s") == true)
        #expect(!report.isReady)
    }
}
