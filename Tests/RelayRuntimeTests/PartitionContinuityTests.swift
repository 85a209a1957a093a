import Contracts
import Foundation
import Ledger
import RelayKafka
import Testing

@testable import RelayRuntime

/// The guard in front of intake, as a pure function of (ledger position, broker watermarks,
/// records in delivery order): every way offsets can go backwards halts the partition, every
/// normal restart and every normal record goes through.
@Suite("Partition continuity")
struct PartitionContinuityTests {
    static let tp = TopicPartition(topic: "freeze.requests", partition: 2)

    static func record(_ offset: Int64, _ value: String = "v", partition: TopicPartition = tp) -> KafkaMessage {
        KafkaMessage(
            topic: partition.topic, partition: partition.partition, offset: offset, key: Array("k\(offset)".utf8),
            value: Array(value.utf8),
            headers: [KafkaHeader(name: "h", string: "x")])
    }

    /// A ledger that applied the partition up to `next` (exclusive), the last record being `record(next - 1, lastValue)`.
    static func ledger(next: Int64, lastValue: String? = "v", epoch: Int64 = 0) -> PartitionPosition {
        PartitionPosition(
            topic: tp.topic, partition: tp.partition, nextOffset: next,
            lastDigest: lastValue.map { RecordDigest.of(record(next - 1, $0)) }, epoch: epoch)
    }

    static func assigned(
        _ ledger: PartitionPosition?, topicKnown: Bool = true, halt: PartitionHalt? = nil,
        watermarks: (Int64, Int64)? = (0, 100)
    ) -> AssignedPartition {
        AssignedPartition(
            partition: tp, ledger: ledger, topicKnown: topicKnown, halt: halt,
            watermarks: watermarks.map { (low: $0.0, high: $0.1) })
    }

    func haltCode(_ verdict: RecordVerdict) -> IntakeNotice.HaltCode? {
        if case .halt(let halt) = verdict { return halt.code }
        return nil
    }

    // MARK: Where a partition starts

    @Test("after a restart, the last applied record is read again and checked; then reading goes on")
    func restartVerifiesLastRecord() {
        var continuity = PartitionContinuity()
        let (plan, halt) = continuity.assign(Self.assigned(Self.ledger(next: 60)), now: t0)
        #expect(plan == .at(59))
        #expect(halt == nil)
        #expect(continuity.judge(Self.record(59), now: t0) == .verified)
        #expect(continuity.judge(Self.record(60), now: t0) == .apply)
        #expect(continuity.judge(Self.record(61), now: t0) == .apply)
        #expect(continuity.halted.isEmpty)
    }

    @Test("a different record at the last applied offset (re-created topic, other cluster) halts the partition")
    func differentRecordHalts() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60)), now: t0)
        let verdict = continuity.judge(Self.record(59, "another request"), now: t0)
        #expect(haltCode(verdict) == .recordMismatch)
        if case .halt(let halt) = verdict {
            #expect(halt.position == 60 && halt.offset == 59 && halt.haltedAt == t0)
            #expect(halt.detail.contains("freeze-relay rebase"))
        }
        // Nothing more of the partition is applied, however many records still come.
        for offset in Int64(60)..<70 { #expect(continuity.judge(Self.record(offset), now: t0) == .drop) }
        #expect(continuity.halted == [Self.tp])
        // Other partitions are unaffected.
        let other = TopicPartition(topic: "freeze.requests", partition: 0)
        #expect(continuity.judge(Self.record(5, partition: other), now: t0) == .apply)
    }

    @Test("a partition that ends before the ledger's position halts at once, without reading")
    func logEndsBeforePosition() {
        var continuity = PartitionContinuity()
        let (plan, halt) = continuity.assign(Self.assigned(Self.ledger(next: 60), watermarks: (0, 3)), now: t0)
        #expect(plan == .halted)
        #expect(halt?.code == .logEndsBeforePosition)
        #expect(halt?.position == 60 && halt?.logStart == 0 && halt?.logEnd == 3)
        #expect(continuity.judge(Self.record(0), now: t0) == .drop)
    }

    @Test("records deleted before the relay read them halt the partition")
    func recordsDeletedUnread() {
        var continuity = PartitionContinuity()
        let (plan, halt) = continuity.assign(Self.assigned(Self.ledger(next: 60), watermarks: (75, 90)), now: t0)
        #expect(plan == .halted)
        #expect(halt?.code == .recordsDeletedUnread)
        #expect(halt?.detail.contains("60..<75") == true)
    }

    @Test("the end of the log exactly at the position, and a log starting exactly at it, are normal")
    func boundaries() {
        var atEnd = PartitionContinuity()
        #expect(atEnd.assign(Self.assigned(Self.ledger(next: 60), watermarks: (0, 60)), now: t0).0 == .at(59))
        var startsAtPosition = PartitionContinuity()
        // The last applied record itself is gone: nothing to verify, start at the position.
        #expect(
            startsAtPosition.assign(Self.assigned(Self.ledger(next: 60), watermarks: (60, 80)), now: t0).0 == .at(60))
        #expect(startsAtPosition.judge(Self.record(60), now: t0) == .apply)
    }

    @Test("when the last applied record vanished meanwhile, what follows it is applied")
    func verificationRecordGone() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60), watermarks: nil), now: t0)
        #expect(continuity.judge(Self.record(60), now: t0) == .apply)
        #expect(continuity.judge(Self.record(61), now: t0) == .apply)
    }

    @Test("a ledger without a digest (written before digests existed) starts at its position")
    func noDigest() {
        var continuity = PartitionContinuity()
        #expect(continuity.assign(Self.assigned(Self.ledger(next: 60, lastValue: nil)), now: t0).0 == .at(60))
        #expect(continuity.judge(Self.record(60), now: t0) == .apply)
    }

    @Test(
        "partitions the ledger never read: a known topic starts at the beginning, an unknown one where the group left off"
    )
    func newPartitions() {
        var known = PartitionContinuity()
        #expect(known.assign(Self.assigned(nil, topicKnown: true), now: t0).0 == .at(KafkaConsumer.beginning))
        func unknownTopic(committed: Int64??) -> StartPlan {
            var continuity = PartitionContinuity()
            var assigned = Self.assigned(nil, topicKnown: false)
            assigned.groupCommitted = committed
            return continuity.assign(assigned, now: t0).0
        }
        #expect(unknownTopic(committed: .some(1234)) == .at(1234))
        #expect(unknownTopic(committed: .some(nil)) == .at(KafkaConsumer.beginning))
        #expect(unknownTopic(committed: nil) == .followGroup)
        var unknown = PartitionContinuity()
        _ = unknown.assign(Self.assigned(nil, topicKnown: false), now: t0)
        #expect(unknown.judge(Self.record(1234), now: t0) == .apply)
    }

    @Test("a partition halted in the ledger stays halted and is not read")
    func haltedStaysHalted() {
        var continuity = PartitionContinuity()
        let halt = PartitionHalt(
            topic: Self.tp.topic, partition: Self.tp.partition, haltedAt: t0, code: .recordMismatch, detail: "d")
        let (plan, new) = continuity.assign(Self.assigned(Self.ledger(next: 60), halt: halt), now: t0)
        #expect(plan == .halted && new == nil)
        #expect(continuity.judge(Self.record(59), now: t0) == .drop)
        // A refused position of a halted partition is not a second halt.
        #expect(continuity.positionRefused(Self.tp, offset: 60, watermarks: (0, 3), now: t0) == .ignore)
    }

    // MARK: While reading

    @Test("a record below the position being read halts (the consumer was reset), instead of being skipped")
    func recordBelowPositionHalts() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60)), now: t0)
        #expect(continuity.judge(Self.record(59), now: t0) == .verified)
        #expect(continuity.judge(Self.record(60), now: t0) == .apply)
        let verdict = continuity.judge(Self.record(0), now: t0)
        #expect(haltCode(verdict) == .offsetWentBackwards)
        if case .halt(let halt) = verdict { #expect(halt.position == 61 && halt.offset == 0) }
    }

    @Test("a record below the verification offset halts too")
    func belowVerificationHalts() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60)), now: t0)
        #expect(haltCode(continuity.judge(Self.record(3), now: t0)) == .offsetWentBackwards)
    }

    @Test("gaps in offsets (transaction markers, compaction) are normal")
    func gapsAreNormal() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 10, lastValue: nil)), now: t0)
        for offset: Int64 in [10, 12, 13, 40] { #expect(continuity.judge(Self.record(offset), now: t0) == .apply) }
    }

    @Test("a position the broker refuses while reading halts with the broker's range")
    func refusedPosition() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60)), now: t0)
        guard case .halt(let halt) = continuity.positionRefused(Self.tp, offset: 59, watermarks: (0, 2), now: t0) else {
            Issue.record("no halt")
            return
        }
        #expect(halt.code == .logEndsBeforePosition)
        #expect(halt.position == 60 && halt.offset == 59 && halt.logEnd == 2)
        #expect(continuity.halted == [Self.tp])
        // Without watermarks the relay cannot tell which way the log moved.
        var unknown = PartitionContinuity()
        _ = unknown.assign(Self.assigned(Self.ledger(next: 60, lastValue: nil)), now: t0)
        guard case .halt(let plain) = unknown.positionRefused(Self.tp, offset: 60, watermarks: nil, now: t0) else {
            Issue.record("no halt")
            return
        }
        #expect(plain.code == .offsetOutOfRange && plain.detail.contains("re-created, truncated or emptied"))
    }

    @Test(
        "when only the record checked at restart is gone (the log starts at the position), reading continues at the position"
    )
    func verificationRecordRetained() {
        var continuity = PartitionContinuity()
        // The watermarks could not be asked at assignment, so the relay asked for offset 59.
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60), watermarks: nil), now: t0)
        #expect(continuity.positionRefused(Self.tp, offset: 59, watermarks: (60, 60), now: t0) == .move(to: 60))
        #expect(continuity.judge(Self.record(60), now: t0) == .apply)
        // Records before the position deleted *and* the log starting after it: that is a loss.
        var lost = PartitionContinuity()
        _ = lost.assign(Self.assigned(Self.ledger(next: 60), watermarks: nil), now: t0)
        guard case .halt(let halt) = lost.positionRefused(Self.tp, offset: 59, watermarks: (75, 80), now: t0) else {
            Issue.record("no halt")
            return
        }
        #expect(halt.code == .recordsDeletedUnread && halt.logStart == 75)
    }

    @Test("after a re-base the partition is read from the new position without verification")
    func rebaseResumes() {
        var continuity = PartitionContinuity()
        _ = continuity.assign(Self.assigned(Self.ledger(next: 60), watermarks: (0, 3)), now: t0)
        continuity.rebased(Self.tp, to: KafkaConsumer.beginning)
        #expect(continuity.halted.isEmpty)
        #expect(continuity.judge(Self.record(0), now: t0) == .apply)
        var later = PartitionContinuity()
        _ = later.assign(Self.assigned(Self.ledger(next: 60), watermarks: (0, 3)), now: t0)
        later.rebased(Self.tp, to: 2)
        #expect(haltCode(later.judge(Self.record(1), now: t0)) == .offsetWentBackwards)
    }

    @Test("a re-based ledger position (-2, from the beginning) starts at the beginning")
    func ledgerRebasedToBeginning() {
        var continuity = PartitionContinuity()
        let ledger = PartitionPosition(
            topic: Self.tp.topic, partition: Self.tp.partition, nextOffset: KafkaConsumer.beginning, epoch: 1)
        #expect(continuity.assign(Self.assigned(ledger, watermarks: (0, 3)), now: t0).0 == .at(KafkaConsumer.beginning))
        #expect(continuity.judge(Self.record(0), now: t0) == .apply)
    }

    @Test("the digest covers key, value and headers, and tells framing apart")
    func digestCoversEverything() {
        let base = Self.record(1)
        var key = base
        key.key = Array("other".utf8)
        var value = base
        value.value = nil
        var header = base
        header.headers = [KafkaHeader(name: "h", string: "y")]
        var moved = base
        moved.key = Array("k1v".utf8)
        moved.value = []
        let digests = [base, key, value, header, moved].map(RecordDigest.of)
        #expect(Set(digests).count == digests.count)
        // The offset and timestamp are not part of it: the same bytes elsewhere are the same record.
        var elsewhere = base
        elsewhere.offset = 99
        elsewhere.timestampMilliseconds = 5
        #expect(RecordDigest.of(elsewhere) == RecordDigest.of(base))
    }
}

/// The readiness rule for intake.
@Suite("Intake progress")
struct IntakeProgressTests {
    let timeout = Duration.seconds(60)

    @Test("no partition assigned for longer than the timeout is a stall; shorter is not")
    func noAssignment() {
        let progress = IntakeProgress(assigned: 0, assignmentChangedAt: t0, lastProgressAt: t0, waiting: 0)
        #expect(progress.stallReason(now: t0.adding(.seconds(59)), timeout: timeout) == nil)
        #expect(
            progress.stallReason(now: t0.adding(.seconds(100)), timeout: timeout)?.contains(
                "no partition assigned for 100 s") == true)
    }

    @Test("records waiting while nothing is applied for longer than the timeout is a stall")
    func waitingWithoutProgress() {
        let progress = IntakeProgress(assigned: 4, assignmentChangedAt: t0, lastProgressAt: t0, waiting: 12)
        #expect(progress.stallReason(now: t0.adding(.seconds(30)), timeout: timeout) == nil)
        #expect(
            progress.stallReason(now: t0.adding(.seconds(61)), timeout: timeout)?.contains("12 record(s) waiting")
                == true)
    }

    @Test("an idle relay with nothing waiting is not stalled, however long it idles")
    func idle() {
        let progress = IntakeProgress(assigned: 4, assignmentChangedAt: t0, lastProgressAt: t0, waiting: 0)
        #expect(progress.stallReason(now: t0.adding(.seconds(86_400)), timeout: timeout) == nil)
    }
}
