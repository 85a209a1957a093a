import Contracts
import Foundation
import Ledger
import Logging
import RelayKafka

/// The intake loop: poll, judge each record against the ledger's positions, apply the batch in one
/// transaction, store offsets; halt partitions whose offsets went backwards; carry out re-bases.
///
/// Two batches overlap: while batch N's transaction runs on the ledger lane, batch N+1 is polled,
/// judged and prepared (decoded, fingerprinted) on another thread. N's offsets are stored only
/// after its transaction committed, and N+1's transaction starts only after that. Anything that
/// moves positions or pauses partitions (halts, moves, operators' re-bases) first waits for the
/// batch in flight to land, so those never race a transaction.
extension RelayDaemon {
    /// A batch whose transaction is running, with what to do once it committed.
    struct BatchInFlight {
        let sorted: IntakeSupervisor.Sorted
        let applying: Task<[IntakeOutcome], any Error>?
    }

    func intakeLoop() async {
        var inFlight: BatchInFlight?
        await intake(&inFlight)
        // Stopped early (a failure, or cancelled): a transaction still running must end before
        // the ledger is closed; its offsets are not stored, so its records are read again (and
        // found applied) after a restart.
        if let applying = inFlight?.applying { _ = try? await applying.value }
    }

    private func intake(_ inFlight: inout BatchInFlight?) async {
        var nextRebaseCheck = ContinuousClock.now
        while !stopping && !Task.isCancelled {
            if let failure = supervisor.planFailure {
                fail(.positionsUnreadable(failure))
                return
            }
            // Before polling: records already polled from a partition must never be judged against
            // the position an operator has just given it.
            if ContinuousClock.now >= nextRebaseCheck {
                nextRebaseCheck = ContinuousClock.now + .seconds(1)
                guard await land(&inFlight) else { return }
                guard await carryOutRebaseRequests() else { return }
                guard carryOutOperatorOrders() else { return }
            }
            let batch: ConsumedBatch
            do {
                // While a batch is in flight, wait only briefly for more: if nothing comes, the batch
                // lands (offsets stored, outcomes reported) at once rather than after a long poll.
                batch = try await consumer.nextConsumedBatch(
                    maxMessages: settings.intakeBatchSize, timeout: .milliseconds(inFlight == nil ? 250 : 10))
            } catch {
                if error.isFatal {
                    fail(.kafkaFatal(error))
                    return
                }
                logger.warning("poll failed; retrying", metadata: ["error": "\(error)"])
                continue
            }
            outcomeLog.flush()
            if Task.isCancelled { return }
            let moves = await partitionMoves(for: batch.partitionErrors)
            let sorted = supervisor.sort(batch.messages)
            // Also after an empty poll: an assignment inside it may have halted partitions.
            if supervisor.hasPendingHalts || !moves.isEmpty {
                guard await land(&inFlight) else { return }
            }
            guard recordHalts() else { return }
            if !moves.isEmpty { await move(moves) }
            if sorted.apply.isEmpty && sorted.store.isEmpty {
                // Nothing new: let the batch in flight land now rather than after the next poll.
                guard await land(&inFlight) else { return }
                continue
            }
            var prepared: PreparedBatch?
            if !sorted.apply.isEmpty {
                let engine = policies.engine
                let records = sorted.apply
                let readAt = clock.now()
                prepared = await preparationLane.run { IntakePreparation.prepare(records, engine: engine, now: readAt) }
            }
            guard await land(&inFlight) else { return }
            let processor = self.processor
            let lane = ledgerLane
            let publisher = self.publisher
            inFlight = BatchInFlight(
                sorted: sorted,
                applying: prepared.map { batch in
                    Task {
                        let applied = try await lane.run { try processor.apply(batch) }
                        // Committed: its events can go out now, before the offsets are stored.
                        publisher.offer(applied.queued)
                        return applied.outcomes
                    }
                })
        }
        _ = await land(&inFlight)
    }

    /// Waits for the batch in flight to commit, then stores its offsets and reports it. Returns
    /// false when the relay must stop (the ledger failed, or the task was cancelled).
    private func land(_ inFlight: inout BatchInFlight?) async -> Bool {
        guard let batch = inFlight else { return true }
        inFlight = nil
        var outcomes: [IntakeOutcome] = []
        if let applying = batch.applying {
            do {
                outcomes = try await applying.value
            } catch let failure as RuntimeFailure {
                fail(failure)
                return false
            } catch {
                // Nothing of the batch was committed and no offset is stored: on restart the
                // same records are read again.
                fail(RuntimeFailure(wrapping: error))
                return false
            }
        }
        // The worst moment to die: the ledger has the batch, Kafka does not know yet. Cancelled
        // (a stop at once, as a kill), its offsets are not stored.
        if Task.isCancelled { return false }
        let sorted = batch.sorted
        if !sorted.store.isEmpty {
            do {
                try consumer.store(sorted.store)
            } catch {
                // The partitions moved away meanwhile; the next owner starts at the ledger's positions.
                logger.warning("could not store offsets after applying a batch", metadata: ["error": "\(error)"])
            }
        }
        if !sorted.apply.isEmpty { supervisor.progressed() }
        logSkipped(
            sorted.verified.map { ($0.topicPartition, $0.offset) }
                + outcomes.filter { $0.outcome == .alreadyApplied }.map {
                    (TopicPartition(topic: $0.topic, partition: $0.partition), $0.offset)
                })
        guard !outcomes.isEmpty else { return true }
        observer.applied(outcomes)
        if outcomes.contains(where: { $0.deadLetterCode != nil }) { deadLetterBudget.enforce() }
        outcomeLog.write(outcomes)
        // New timers may be due earlier than the scheduler thinks. (The publisher was woken when
        // the batch's events were offered to it, right after the commit.)
        scheduler.nudge()
        return true
    }

    /// What the supervisor makes of the poll's partition errors, asked off the cooperative pool (it
    /// may wait for the broker).
    private func partitionMoves(for errors: [PartitionError]) async -> [TopicPartition: Int64] {
        guard !errors.isEmpty else { return supervisor.handle([], consumer: consumer) }
        let supervisor = self.supervisor
        let consumer = self.consumer
        return (try? await consumer.onQueue { () throws(KafkaError) in supervisor.handle(errors, consumer: consumer) })
            ?? [:]
    }

    /// Makes the halts the supervisor decided durable, reports them, and pauses the partitions.
    /// Returns false when the ledger could not be written (the relay then stops).
    private func recordHalts() -> Bool {
        let halts = supervisor.takePendingHalts()
        guard !halts.isEmpty else { return true }
        let recorded: [PartitionHalt]
        do {
            recorded = try PartitionNotices.record(halts, ledger: ledger, topics: policies.policy.topics)
        } catch {
            fail(RuntimeFailure(wrapping: error))
            return false
        }
        for halt in recorded {
            var metadata: Logger.Metadata = [
                "partition": "\(halt.topic)[\(halt.partition)]", "code": "\(halt.code.rawValue)",
            ]
            if let position = halt.position { metadata["ledger_position"] = "\(position)" }
            if let offset = halt.offset { metadata["offset"] = "\(offset)" }
            if let low = halt.logStart, let high = halt.logEnd { metadata["log"] = "\(low)..<\(high)" }
            logger.error(
                "intake halted on a partition whose offsets no longer match the ledger: \(halt.detail)",
                metadata: metadata)
            metrics.partitionHalted(halt)
        }
        supervisor.pause(halts.map { TopicPartition(topic: $0.topic, partition: $0.partition) }, consumer: consumer)
        publisher.nudge()
        return true
    }

    /// Moves partitions (re-assigning them) and lets them flow; the halted ones stay paused. (A
    /// pause survives re-assignment in librdkafka, so a halted partition that was re-based must be
    /// resumed explicitly.)
    private func move(_ positions: [TopicPartition: Int64]) async {
        do {
            try await consumer.onQueue { [consumer] () throws(KafkaError) in
                try consumer.reposition(positions)
                try consumer.resume(Array(positions.keys))
            }
        } catch {
            logger.error(
                "cannot move partitions", metadata: ["partitions": "\(positions.keys.sorted())", "error": "\(error)"])
        }
        supervisor.pause(supervisor.haltedPartitions, consumer: consumer)
    }

    /// Carries out the re-bases operators asked for while the daemon runs. Returns false when the
    /// ledger could not be written.
    private func carryOutRebaseRequests() async -> Bool {
        let requests: [RebaseRequest]
        do { requests = try ledger.pendingRebaseRequests() } catch {
            logger.warning("cannot read re-base requests", metadata: ["error": "\(error)"])
            return true
        }
        for request in requests {
            let partition = TopicPartition(topic: request.topic, partition: request.partition)
            let now = clock.now()
            do {
                if let problem = RebaseTarget.problem(
                    topic: request.topic, partition: request.partition, target: request.target)
                {
                    try ledger.write { tx in
                        try tx.finishRebaseRequest(request.sequence, outcome: "refused: \(problem)", at: now)
                    }
                    logger.warning(
                        "re-base request refused", metadata: ["request": "\(request.sequence)", "why": "\(problem)"])
                    continue
                }
                let result = try PartitionNotices.rebase(
                    topic: request.topic, partition: request.partition, to: request.target, note: request.note,
                    by: request.requestedBy, request: request.sequence, ledger: ledger,
                    topics: policies.policy.topics, at: now)
                logger.notice(
                    "partition re-based by an operator",
                    metadata: [
                        "partition": "\(partition)", "from": "\(result.previousPosition.map { "\($0)" } ?? "none")",
                        "to": "\(result.newPosition)",
                        "epoch": "\(result.epoch)", "by": "\(request.requestedBy)",
                    ])
                supervisor.rebased(partition, to: request.target)
                if supervisor.isAssigned(partition) { await move([partition: request.target]) }
                publisher.nudge()
            } catch {
                fail(RuntimeFailure(wrapping: error))
                return false
            }
        }
        return true
    }

    /// Records skipped because they were applied before: counted, and logged at debug level with
    /// their ranges per partition.
    private func logSkipped(_ skipped: [(TopicPartition, Int64)]) {
        guard !skipped.isEmpty else { return }
        metrics.skipped(skipped.map(\.0))
        guard logger.logLevel <= .debug else { return }
        for (partition, offsets) in Dictionary(grouping: skipped, by: \.0) {
            let sorted = offsets.map(\.1).sorted()
            logger.debug(
                "skipped records applied before",
                metadata: [
                    "partition": "\(partition)", "offsets": "\(sorted.first!)...\(sorted.last!)",
                    "count": "\(sorted.count)",
                ])
        }
    }
}

/// Checks on what an operator asks a partition to be re-based to.
public enum RebaseTarget {
    /// Why a re-base cannot be done as asked, or nil when it can.
    public static func problem(topic: String, partition: Int32, target: Int64) -> String? {
        if !TopicNames.isLegalTopicName(topic) { return "\"\(topic.prefix(64))\" is not a Kafka topic name" }
        if partition < 0 { return "partition \(partition) is negative" }
        if target < 0 && target != KafkaConsumer.beginning {
            return "target \(target) is neither an offset (0 or more) nor the beginning"
        }
        return nil
    }
}
