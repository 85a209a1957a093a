import Contracts
import Foundation
import Kafka
import Ledger
import Logging
import Relay
import Synchronization

/// The running relay: consumes police requests and bank answers, applies them to the ledger,
/// fires deadlines, and publishes the outbox.
///
/// Three loops share one ledger:
/// - **intake** polls a batch, applies it in one transaction, and only then stores the Kafka
///   offsets (committed by librdkafka's auto-commit, and synchronously when partitions are
///   revoked and on shutdown);
/// - **deadlines** sleeps until the next timer is due and fires it;
/// - **outbox** publishes queued events through the idempotent producer.
///
/// A broker outage stalls intake and publication but never the deadlines, which keep queueing
/// escalations in the outbox. A ledger that cannot be written stops intake without committing
/// any offset, and `run` throws with the reason.
public final class RelayDaemon: Sendable {
    public let settings: RelaySettings
    public let ledger: Ledger
    let clock: any RelayClock
    let logger: Logger
    let policies: PolicyHolder
    let observer: RelayObserver
    /// The daemon's metrics, rendered by `/metrics`.
    public let metrics: RelayMetrics
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let processor: IntakeProcessor
    private let scheduler: DeadlineScheduler
    private let publisher: OutboxPublisher
    private let state = Mutex(RunState())

    private struct RunState {
        var stopping = false
        var crashed = false
        var failure: RuntimeFailure?
    }

    /// Opens the ledger and the Kafka clients. Fails with a clear error when the ledger is locked
    /// by another daemon, unreadable, or from a newer version, or when a Kafka property is invalid.
    public init(settings: RelaySettings, clock: any RelayClock = SystemClock(), logger: Logger, observer: RelayObserver = RelayObserver()) throws {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.observer = observer
        let metrics = RelayMetrics()
        self.metrics = metrics
        observer.add(applied: { metrics.consumed($0) }, deadlinesFired: { metrics.deadlinesFired($0) }, published: { _, sent in metrics.published(sent) })
        let ledger = try Ledger.open(at: settings.ledgerPath, configuration: LedgerConfiguration(durability: settings.durability))
        self.ledger = ledger
        let policies = PolicyHolder(settings.policy)
        self.policies = policies
        do {
            var producerConfig = settings.kafka
            if producerConfig["client.id"] == nil { producerConfig["client.id"] = "freeze-relay" }
            // Give up on a delivery after a minute rather than librdkafka's five: the event stays in
            // the outbox and is retried, while the publisher's round does not block for long.
            if producerConfig["message.timeout.ms"] == nil { producerConfig["message.timeout.ms"] = "60000" }
            self.producer = try KafkaProducer(configuration: producerConfig, logger: logger, clientName: "relay producer")
            var consumerConfig = settings.kafka
            // A request should reach its bank in milliseconds: do not let an idle fetch sit for
            // librdkafka's default 500 ms (the embedded mock broker holds fetches that long).
            if consumerConfig["fetch.wait.max.ms"] == nil { consumerConfig["fetch.wait.max.ms"] = "100" }
            // The ledger, not the group's committed offsets, says where to resume: it records each
            // partition's position in the same transaction as the state changes, so a ledger
            // restored from a backup re-reads exactly what it is missing.
            // A partition of a topic the ledger knows, but without a position of its own, had
            // nothing applied when the ledger was last written: it starts at its beginning. A
            // ledger that knows no position of a topic at all (a new one) follows the group.
            let startOffsets: StartOffsets = { partitions in
                guard let positions = try? ledger.consumerPositions() else { return [:] }
                let known = Dictionary(positions.map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset) },
                                       uniquingKeysWith: max)
                let knownTopics = Set(positions.map(\.topic))
                var starts: [TopicPartition: Int64] = [:]
                for partition in partitions {
                    if let next = known[partition] {
                        starts[partition] = next
                    } else if knownTopics.contains(partition.topic) {
                        starts[partition] = KafkaConsumer.beginning
                    }
                }
                return starts
            }
            self.consumer = try KafkaConsumer(configuration: consumerConfig, groupID: settings.groupID, logger: logger,
                                              startOffsets: startOffsets) { event, consumer in
                // Offsets of applied records are stored right after each batch; committing here makes
                // sure the next owner of a revoked partition starts after them.
                if case .revoked(_, let lost) = event, !lost {
                    do { try consumer.commit() } catch {
                        logger.warning("commit on revoke failed; the next owner re-reads applied records, which the ledger skips", metadata: ["error": "\(error)"])
                    }
                }
                observer.rebalanced(event)
            }
        } catch {
            ledger.close()
            throw error
        }
        self.processor = IntakeProcessor(ledger: ledger, policies: policies, clock: clock)
        self.scheduler = DeadlineScheduler(ledger: ledger, policies: policies, clock: clock) { fired in
            observer.deadlinesFired(fired)
            for item in fired where item.outcome == "escalated" {
                logger.notice("deadline missed; escalated", metadata: [
                    "request_id": "\(CanonicalUUID.string(item.deadline.requestID))", "deadline": "\(item.deadline.kind.rawValue)",
                    "level": "\(item.deadline.level)", "late_ms": "\(item.lateness.components.seconds * 1000 + item.lateness.components.attoseconds / 1_000_000_000_000_000)"])
            }
        }
        self.publisher = OutboxPublisher(ledger: ledger, producer: producer, clock: clock, logger: logger, batchSize: settings.publishBatchSize) { round, sent in
            observer.published(round, sent)
        }
    }

    /// Runs until `stop()` is called, then shuts down in order: intake stops after its batch,
    /// the outbox is drained (up to `shutdownDrainTimeout`), offsets are committed, clients and
    /// ledger are closed. Throws when a fatal failure stopped the relay.
    public func run() async throws {
        try consumer.subscribe(settings.subscriptions)
        logger.info("freeze-relay running", metadata: [
            "ledger": "\(ledger.path)", "group": "\(settings.groupID)", "subscriptions": "\(settings.subscriptions)",
            "banks": "\(settings.policy.routing.banks.count)"])
        // Events parked as unpublishable get one more chance: a limit may have been raised.
        let unparked = try ledger.unparkOutbox()
        if unparked > 0 { logger.notice("offering parked events to the broker again", metadata: ["count": "\(unparked)"]) }
        // Deadlines that came due while the relay was down fire now, in due order.
        try scheduler.fireDue()
        publisher.nudge()

        let schedulerTask = Task {
            await self.scheduler.run(afterFiring: { self.publisher.nudge() }, onFailure: { self.fail(RuntimeFailure(wrapping: $0)) })
        }
        let publisherTask = Task { await self.publisher.run { self.fail(RuntimeFailure(wrapping: $0)) } }
        await intakeLoop()

        if state.withLock({ $0.crashed }) {
            // Simulated crash: no drain, no commit, no goodbye to the group.
            producer.close(timeout: .zero)
            publisherTask.cancel()
            schedulerTask.cancel()
            await publisherTask.value
            await schedulerTask.value
            consumer.abandon()
            ledger.close()
            return
        }
        // Intake has stopped. Let the publisher finish its round, then drain what is left.
        publisherTask.cancel()
        let finished = await waitForCompletion(of: publisherTask, upTo: settings.shutdownDrainTimeout)
        let drained = finished ? await publisher.drain(timeout: settings.shutdownDrainTimeout) : false
        if !drained { logger.warning("outbox not empty at shutdown; the rest is published on the next start") }
        let undelivered = producer.close(timeout: .seconds(5))
        if undelivered > 0 { logger.warning("producer closed with undelivered records; they stay in the outbox", metadata: ["count": "\(undelivered)"]) }
        await publisherTask.value
        schedulerTask.cancel()
        await schedulerTask.value
        do { try consumer.close() } catch { logger.warning("closing the consumer failed", metadata: ["error": "\(error)"]) }
        ledger.close()
        if let failure = state.withLock({ $0.failure }) {
            logger.critical("freeze-relay stopped: \(failure)")
            throw failure
        }
        logger.info("freeze-relay stopped cleanly")
    }

    /// Asks the relay to stop (SIGTERM/SIGINT). Returns at once; `run` returns when done.
    public func stop() {
        state.withLock { $0.stopping = true }
    }

    /// Replaces the routing table and SLA settings (SIGHUP). Running timers keep their due
    /// times; new requests get the new settings.
    public func reload(policy: RelayPolicy) throws {
        // Compared with the policy in force, not the one at start: reloads can follow each other.
        let before = RelaySettings.subscriptions(for: policies.policy)
        policies.replace(with: policy)
        let after = RelaySettings.subscriptions(for: policy)
        if after != before { try consumer.subscribe(after) }
        logger.notice("routing table and SLA settings reloaded", metadata: ["banks": "\(policy.routing.banks.count)"])
    }

    /// Routes every request kept as unroutable that the current routing table now covers.
    @discardableResult
    public func retryUnroutable() throws -> [UUID] {
        let routed = try RelayMaintenance.retryUnroutable(ledger: ledger, policy: policies.policy, clock: clock).map(\.requestID)
        logger.notice("retried unroutable requests", metadata: ["routed": "\(routed.count)"])
        scheduler.nudge()
        publisher.nudge()
        return routed
    }

    /// Stops every loop at once, the way a killed process would: no drain, no offset commit,
    /// no final revoke. Committed ledger transactions stay; anything else is lost. For crash tests.
    public func simulateCrash() {
        state.withLock { $0.crashed = true }
    }

    /// Checks what readiness depends on: a broker answers, the ledger takes a write, the outbox
    /// is not backed up, the relay has not stopped. Blocks for up to `brokerTimeout`.
    public func health(brokerTimeout: Duration = .seconds(2)) -> HealthReport {
        let writable = (try? ledger.write { tx in try tx.recordHeartbeat(at: clock.now()) }) != nil
        return HealthReport(
            brokerReachable: producer.brokerReachable(timeout: brokerTimeout), ledgerWritable: writable,
            outboxBacklog: try? ledger.outboxBacklog().unsent, maxOutboxBacklog: settings.maxOutboxBacklog,
            failure: failure.map { "\($0)" })
    }

    /// The Prometheus exposition, with ledger and consumer gauges refreshed now.
    public func metricsText() -> String {
        metrics.refresh(from: ledger, lag: (try? consumer.lag()) ?? [], health: health(), now: clock.now())
        return metrics.render()
    }

    /// Serves `/healthz`, `/readyz` and `/metrics` on `host:port` until the returned server is closed.
    public func serveHTTP(host: String, port: UInt16) throws -> HealthServer {
        try HealthServer(host: host, port: port, routes: [
            "/healthz": { HTTPResponse(status: 200, body: "alive\n") },
            "/readyz": { [self] in
                let report = health()
                return report.isReady
                    ? HTTPResponse(status: 200, body: "ready\n")
                    : HTTPResponse(status: 503, body: "not ready: " + report.reasons.joined(separator: "; ") + "\n")
            },
            "/metrics": { [self] in
                HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metricsText())
            },
        ])
    }

    /// Why the relay stopped by itself, if it did (readiness and the demo watch this).
    public var failure: RuntimeFailure? { state.withLock { $0.failure } }

    private var stopping: Bool { state.withLock { $0.stopping || $0.crashed || $0.failure != nil } }

    /// Waits for `task` for at most `timeout` (real time: this bounds shutdown, it is not a deadline).
    /// Unstructured on purpose: waiting on another task's value cannot be cancelled.
    private func waitForCompletion(of task: Task<Void, Never>, upTo timeout: Duration) async -> Bool {
        let once = FirstAnswer()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            Task { await task.value; once.answer(true) }
            Task { try? await Task.sleep(for: timeout); once.answer(false) }
        }
    }

    private func fail(_ failure: RuntimeFailure) {
        state.withLock { if $0.failure == nil { $0.failure = failure } }
    }

    private func intakeLoop() async {
        while !stopping {
            let batch: [KafkaMessage]
            do {
                batch = try await consumer.nextBatch(maxMessages: settings.intakeBatchSize, timeout: .milliseconds(250))
            } catch {
                if error.isFatal {
                    fail(.kafkaFatal("\(error)"))
                    return
                }
                logger.warning("poll failed; retrying", metadata: ["error": "\(error)"])
                continue
            }
            guard !batch.isEmpty else { continue }
            if state.withLock({ $0.crashed }) { return }
            let outcomes: [IntakeOutcome]
            do {
                outcomes = try processor.apply(batch)
            } catch let failure as RuntimeFailure {
                fail(failure)
                return
            } catch {
                // Nothing of the batch was committed and no offset is stored: on restart the
                // same records are read again.
                fail(.ledgerUnwritable("\(error)"))
                return
            }
            // The worst moment to die: the ledger has the batch, Kafka does not know yet.
            if state.withLock({ $0.crashed }) { return }
            do {
                try consumer.store(batch)
            } catch {
                // The partitions moved away meanwhile; the next owner re-reads, and the ledger skips.
                logger.warning("could not store offsets after applying a batch", metadata: ["error": "\(error)"])
            }
            observer.applied(outcomes)
            logOutcomes(outcomes)
            scheduler.nudge()
            publisher.nudge()
        }
    }

    private func logOutcomes(_ outcomes: [IntakeOutcome]) {
        for outcome in outcomes where outcome.outcome != "already_applied" {
            var metadata: Logger.Metadata = [
                "source": "\(outcome.topic)/\(outcome.partition)@\(outcome.offset)", "outcome": "\(outcome.outcome)"]
            if let id = outcome.requestID { metadata["request_id"] = "\(CanonicalUUID.string(id))" }
            if let caseID = outcome.caseID { metadata["case_id"] = "\(caseID)" }
            if let bank = outcome.bankID { metadata["bank"] = "\(bank)" }
            if let code = outcome.deadLetterCode { metadata["dead_letter"] = "\(code.rawValue)" }
            if let failure = outcome.failure {
                metadata["error"] = "\(failure)"
                logger.error("internal error on a record: its decision was dropped and the record dead-lettered in minimal form (internal_error); intake goes on. Please report this", metadata: metadata)
            } else if outcome.outcome == "foreign_response" {
                logger.error("SECURITY: answer about a request not routed to this bank; refused and dead-lettered", metadata: metadata)
            } else if outcome.deadLetterCode != nil {
                logger.warning("record dead-lettered", metadata: metadata)
            } else {
                logger.info("record applied", metadata: metadata)
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later answers are dropped.
private final class FirstAnswer: Sendable {
    private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)
    func set(_ value: CheckedContinuation<Bool, Never>) { continuation.withLock { $0 = value } }
    func answer(_ value: Bool) {
        continuation.withLock { stored in defer { stored = nil }; return stored }?.resume(returning: value)
    }
}
