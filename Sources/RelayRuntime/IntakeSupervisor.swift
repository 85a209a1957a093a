import Contracts
import Ledger
import LogThrottle
import Logging
import RelayKafka
import Synchronization

/// The daemon's live view of the partitions it reads: it runs `PartitionContinuity` against the
/// ledger and the broker, collects the halts it decides for the intake loop to make durable, and
/// knows whether intake is making progress (for readiness).
///
/// Called from the consumer's thread (inside `poll`, for assignments) and from the intake loop,
/// never at the same time; the state is behind a `Mutex` all the same.
final class IntakeSupervisor: Sendable {
    private struct State {
        var continuity = PartitionContinuity()
        /// Halts decided but not yet written to the ledger.
        var pendingHalts: [PartitionHalt] = []
        /// Why planning an assignment failed (the ledger could not be read).
        var planFailure: (any Error)?
        var assigned: Set<TopicPartition> = []
        /// When the assignment last changed, and when intake last applied something or found
        /// nothing waiting.
        var assignmentChangedAt: Timestamp
        var lastProgressAt: Timestamp
    }

    private let state: Mutex<State>
    let ledger: Ledger
    let clock: any RelayClock
    let logger: Logger
    /// Consumer errors repeat every poll while they last (a topic that does not exist yet).
    private let consumerErrors: ThrottledLog

    init(ledger: Ledger, clock: any RelayClock, logger: Logger) {
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.consumerErrors = ThrottledLog(logger: logger)
        let now = clock.now()
        state = Mutex(State(assignmentChangedAt: now, lastProgressAt: now))
    }

    // MARK: Assignment

    /// Where newly assigned partitions start (the consumer's `StartOffsets`). Runs inside the
    /// rebalance callback: it reads the ledger and asks the broker for watermarks and the group's
    /// committed offsets (two bounded round trips each, for all partitions at once), nothing else.
    func plan(_ partitions: [TopicPartition], consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        let positions: [PartitionPosition]
        let halts: [PartitionHalt]
        do {
            positions = try ledger.partitionPositions()
            halts = try ledger.partitionHalts()
        } catch {
            // Without the ledger the relay cannot tell which partitions are halted, nor check
            // anything: the partitions are paused (see `rebalanced`) and intake stops.
            logger.critical(
                "cannot read the ledger's partition positions; pausing the assigned partitions",
                metadata: ["error": "\(error)"])
            state.withLock { $0.planFailure = error }
            return [:]
        }
        let known = Dictionary(
            positions.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0) },
            uniquingKeysWith: { a, _ in a })
        let halted = Dictionary(
            halts.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0) },
            uniquingKeysWith: { a, _ in a })
        let knownTopics = Set(positions.map(\.topic))
        let checked = partitions.filter { known[$0] != nil && halted[$0] == nil }
        var marks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        if !checked.isEmpty {
            do { marks = try consumer.watermarks(of: checked, timeout: .seconds(5)) } catch {
                logger.warning(
                    "cannot ask the broker for the partitions' watermarks; the record at each ledger position is checked when it arrives",
                    metadata: ["error": "\(error)"])
            }
        }
        let unread = partitions.filter { known[$0] == nil && !knownTopics.contains($0.topic) }
        var committed: [TopicPartition: Int64?]?
        if !unread.isEmpty {
            do { committed = try consumer.committed(unread, timeout: .seconds(5)) } catch {
                logger.warning(
                    "cannot read the group's committed offsets; librdkafka looks them up itself",
                    metadata: ["error": "\(error)"])
            }
        }
        let now = clock.now()
        var starts: [TopicPartition: Int64] = [:]
        for partition in partitions {
            let ledgerPosition = known[partition]
            let assigned = AssignedPartition(
                partition: partition, ledger: ledgerPosition, topicKnown: knownTopics.contains(partition.topic),
                halt: halted[partition], watermarks: marks[partition],
                groupCommitted: committed.map { $0[partition] ?? nil })
            let (plan, halt) = state.withLock { $0.continuity.assign(assigned, now: now) }
            logger.debug(
                "planned where an assigned partition starts",
                metadata: [
                    "partition": "\(partition)", "plan": "\(plan)",
                    "ledger":
                        "\(ledgerPosition.map { "\($0.nextOffset) digest=\($0.lastDigest != nil) epoch=\($0.epoch)" } ?? "none")",
                    "watermarks": "\(marks[partition].map { "\($0.low)..<\($0.high)" } ?? "unknown")",
                ])
            if let halt { state.withLock { $0.pendingHalts.append(halt) } }
            switch plan {
            case .at(let offset): starts[partition] = offset
            case .followGroup: break
            case .halted:
                starts[partition] = max(ledgerPosition?.nextOffset ?? KafkaConsumer.beginning, KafkaConsumer.beginning)
            }
        }
        return starts
    }

    /// Set when planning an assignment failed; intake must stop.
    var planFailure: (any Error)? { state.withLock { $0.planFailure } }

    /// Follows the assignment; pauses halted partitions as soon as they are assigned.
    func rebalanced(_ event: RebalanceEvent, consumer: KafkaConsumer) {
        let now = clock.now()
        switch event {
        case .assigned(let partitions):
            let (halted, failed) = state.withLock { state in
                state.assigned.formUnion(partitions)
                state.assignmentChangedAt = now
                state.lastProgressAt = now
                return (state.continuity.halted, state.planFailure != nil)
            }
            pause(failed ? partitions : halted.filter(partitions.contains), consumer: consumer)
        case .revoked(let partitions, _):
            state.withLock { state in
                state.assigned.subtract(partitions)
                state.assignmentChangedAt = now
                state.continuity.revoke(partitions)
            }
        }
    }

    /// Pauses partitions (halted ones); a failure is logged, the records are dropped anyway.
    func pause(_ partitions: [TopicPartition], consumer: KafkaConsumer) {
        guard !partitions.isEmpty else { return }
        do { try consumer.pause(partitions) } catch {
            logger.warning(
                "cannot pause halted partitions; their records are dropped unapplied",
                metadata: ["partitions": "\(partitions)", "error": "\(error)"])
        }
    }

    // MARK: Records and errors

    /// What to do with one poll's records.
    struct Sorted {
        /// Records to apply, in order.
        var apply: [KafkaMessage] = []
        /// Records whose offsets may be stored (applied ones and ones verified as applied before).
        var store: [KafkaMessage] = []
        /// Verified at restart as the last record applied before it.
        var verified: [KafkaMessage] = []
    }

    /// Judges a poll's records; new halts are queued for `takePendingHalts`.
    func sort(_ records: [KafkaMessage]) -> Sorted {
        let now = clock.now()
        var sorted = Sorted()
        state.withLock { state in
            for record in records {
                switch state.continuity.judge(record, now: now) {
                case .apply:
                    sorted.apply.append(record)
                    sorted.store.append(record)
                case .verified:
                    sorted.verified.append(record)
                    sorted.store.append(record)
                case .drop:
                    break
                case .halt(let halt):
                    state.pendingHalts.append(halt)
                }
            }
        }
        return sorted
    }

    /// Handles errors about single partitions, returning where partitions must be moved: a
    /// partition with nothing to start from starts at its beginning; a position refused as out of
    /// range halts the partition, unless only the record read again to check it is gone. Blocks
    /// for a broker round trip when a position was refused: call it off the cooperative pool.
    func handle(_ errors: [PartitionError], consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        var moves: [TopicPartition: Int64] = [:]
        consumerErrors.flush()
        var refused: [(TopicPartition, Int64?)] = []
        for problem in errors {
            guard let partition = problem.topicPartition else {
                consumerErrors.warning(
                    "consumer error", code: "\(problem.error.code)", metadata: ["error": "\(problem.error)"])
                continue
            }
            switch problem.kind {
            case .noStartOffset:
                logger.notice(
                    "partition new to the relay and its group; reading it from the beginning",
                    metadata: ["partition": "\(partition)"])
                moves[partition] = KafkaConsumer.beginning
            case .offsetOutOfRange:
                refused.append((partition, problem.offset))
            case .other:
                consumerErrors.warning(
                    "consumer error", code: "\(problem.error.code)",
                    metadata: ["partition": "\(partition)", "error": "\(problem.error)"])
            }
        }
        guard !refused.isEmpty else { return moves }
        let marks = (try? consumer.watermarks(of: refused.map(\.0), timeout: .seconds(5))) ?? [:]
        let now = clock.now()
        for (partition, offset) in refused {
            switch state.withLock({
                $0.continuity.positionRefused(partition, offset: offset, watermarks: marks[partition], now: now)
            }) {
            case .halt(let halt): state.withLock { $0.pendingHalts.append(halt) }
            case .move(let target):
                logger.notice(
                    "the last applied record is gone (retention) but the position is still in the log; continuing there",
                    metadata: ["partition": "\(partition)", "position": "\(target)"])
                moves[partition] = target
            case .ignore: break
            }
        }
        return moves
    }

    /// Halts decided since the last call, to be made durable and reported.
    /// Halts decided and not yet taken.
    var hasPendingHalts: Bool { state.withLock { !$0.pendingHalts.isEmpty } }

    func takePendingHalts() -> [PartitionHalt] {
        state.withLock { state in
            defer { state.pendingHalts = [] }
            return state.pendingHalts
        }
    }

    /// An operator re-based a partition: read it from `target`, no longer halted.
    func rebased(_ partition: TopicPartition, to target: Int64) {
        state.withLock { $0.continuity.rebased(partition, to: target) }
    }

    /// Partitions halted now (in this run's view; the ledger's halts are loaded at assignment).
    var haltedPartitions: [TopicPartition] { state.withLock { $0.continuity.halted } }

    /// Whether a partition is assigned to this consumer now.
    func isAssigned(_ partition: TopicPartition) -> Bool { state.withLock { $0.assigned.contains(partition) } }

    /// Intake applied records, or found nothing waiting: it is keeping up.
    func progressed() {
        let now = clock.now()
        state.withLock { $0.lastProgressAt = now }
    }

    // MARK: Readiness

    /// Why intake is not keeping up, if it is not: no partition assigned for longer than
    /// `timeout`, or records waiting on partitions that are not halted while nothing was applied
    /// for longer than `timeout`. `lag` is the consumer's view of its partitions.
    func stallReason(lag: [PartitionLag], timeout: Duration) -> String? {
        let now = clock.now()
        return state.withLock { state in
            let halted = Set(state.continuity.halted)
            // Before anything is read from a partition the consumer has no position; where intake
            // means to read from then is known here.
            let waiting = lag.filter { !halted.contains($0.topicPartition) }.reduce(Int64(0)) { sum, entry in
                var position = entry.position
                if position == nil, case .reading(let next?) = state.continuity.tracking[entry.topicPartition] {
                    position = next
                }
                if position == nil, case .verifying(_, _, let next) = state.continuity.tracking[entry.topicPartition] {
                    position = next
                }
                guard let position, let high = entry.highWatermark else { return sum }
                return sum + max(0, high - position)
            }
            // Nothing waiting is as good as progress: an idle relay is keeping up.
            if waiting == 0 { state.lastProgressAt = now }
            return IntakeProgress(
                assigned: state.assigned.count, assignmentChangedAt: state.assignmentChangedAt,
                lastProgressAt: state.lastProgressAt, waiting: waiting
            ).stallReason(now: now, timeout: timeout)
        }
    }
}

/// The readiness rule for intake, as a pure function of what the supervisor observed.
struct IntakeProgress: Sendable, Equatable {
    var assigned: Int
    var assignmentChangedAt: Timestamp
    var lastProgressAt: Timestamp
    /// Records waiting on partitions that are not halted.
    var waiting: Int64

    func stallReason(now: Timestamp, timeout: Duration) -> String? {
        let sinceAssignment = assignmentChangedAt.duration(until: now)
        if assigned == 0 && sinceAssignment > timeout {
            return
                "intake stalled: no partition assigned for \(sinceAssignment.wholeSeconds) s (the consumer lost its group membership or cannot reach the coordinator)"
        }
        let sinceProgress = lastProgressAt.duration(until: now)
        if assigned > 0 && waiting > 0 && sinceProgress > timeout {
            return "intake stalled: \(waiting) record(s) waiting, nothing applied for \(sinceProgress.wholeSeconds) s"
        }
        return nil
    }
}

extension Duration {
    /// Whole seconds, rounded down.
    var wholeSeconds: Int64 { components.seconds }
}
