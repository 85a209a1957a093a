import Contracts
import Foundation
import Ledger
import Logging
import Relay
import RelayKafka
import ServiceLifecycle
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
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let processor: IntakeProcessor
    let supervisor: IntakeSupervisor
    let scheduler: DeadlineScheduler
    let publisher: OutboxPublisher
    let deadLetterBudget: DeadLetterBudget
    /// Where ledger writes run, off the cooperative pool (intake, deadlines, the publisher's records).
    let ledgerLane = BlockingLane(label: "freeze-relay.ledger")
    /// Where the next poll batch is decoded while the ledger lane commits the previous one.
    let preparationLane = BlockingLane(label: "freeze-relay.intake-preparation")
    /// Where the background health check blocks (see `healthLoop`).
    let healthLane = BlockingLane(label: "freeze-relay.health")
    let healthFindings = Mutex<HealthFindings?>(nil)
    let outcomeLog: OutcomeLog
    let state = Mutex(RunState())

    struct RunState {
        var stopping = false
        var failure: RuntimeFailure?
    }

    /// Opens the ledger and the Kafka clients. Fails with a clear error when the ledger is locked
    /// by another daemon, unreadable, or from a newer version, or when a Kafka property is invalid.
    public init(
        settings: RelaySettings, clock: any RelayClock = SystemClock(), logger: Logger,
        observer: RelayObserver = RelayObserver()
    ) throws {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.observer = observer
        let metrics = RelayMetrics(countingFrom: clock.now())
        self.metrics = metrics
        observer.add(
            applied: { metrics.consumed($0) }, deadlinesFired: { metrics.deadlinesFired($0) },
            published: { _, sent in metrics.published(sent) })
        let ledger = try Ledger.open(
            at: settings.ledgerPath, configuration: LedgerConfiguration(durability: settings.durability))
        self.ledger = ledger
        let policies = PolicyHolder(settings.policy)
        self.policies = policies
        do {
            var producerConfig = settings.kafka
            if producerConfig["client.id"] == nil { producerConfig["client.id"] = "freeze-relay" }
            // Give up on a delivery after a minute rather than librdkafka's five: the event stays in
            // the outbox and is retried, while the publisher's round does not block for long.
            if producerConfig["message.timeout.ms"] == nil { producerConfig["message.timeout.ms"] = "60000" }
            self.producer = try KafkaProducer(
                configuration: producerConfig, logger: logger, clientName: "relay producer")
            var consumerConfig = settings.kafka
            // A request should reach its bank in milliseconds: do not let an idle fetch sit for
            // librdkafka's default 500 ms (the embedded mock broker holds fetches that long).
            if consumerConfig["fetch.wait.max.ms"] == nil { consumerConfig["fetch.wait.max.ms"] = "100" }
            // The relay is its group's only member, so a session timeout is how long a restarted
            // relay can wait for its partitions: after kill -9 a broker frees them only when the
            // dead member's session expires, and the embedded broker, even after a clean leave,
            // only when the session timeout (less 1 s) has passed. librdkafka's 45 s default meant
            // 45 s without intake after every restart; 6 s is the smallest session a broker accepts
            // by default (group.min.session.timeout.ms), with heartbeats every 2 s.
            if consumerConfig["session.timeout.ms"] == nil {
                consumerConfig["session.timeout.ms"] = "6000"
                if consumerConfig["heartbeat.interval.ms"] == nil { consumerConfig["heartbeat.interval.ms"] = "2000" }
            }
            // librdkafka must never move a position by itself: a position the broker refuses
            // means the partition's offsets went backwards, which the relay halts on instead of
            // silently re-reading from the start or skipping to the end.
            if let reset = consumerConfig["auto.offset.reset"], reset != "error" {
                logger.notice(
                    "ignoring kafka property auto.offset.reset; the relay decides where partitions start",
                    metadata: ["configured": "\(reset)"])
            }
            consumerConfig["auto.offset.reset"] = "error"
            // The ledger, not the group's committed offsets, says where to resume: it records each
            // partition's position in the same transaction as the state changes, so a ledger
            // restored from a backup re-reads exactly what it is missing (see IntakeSupervisor).
            let supervisor = IntakeSupervisor(ledger: ledger, clock: clock, logger: logger)
            self.supervisor = supervisor
            self.consumer = try KafkaConsumer(
                configuration: consumerConfig, groupID: settings.groupID, logger: logger,
                startOffsets: { partitions, consumer in supervisor.plan(partitions, consumer: consumer) },
                rebalanceHandler: { event, consumer in
                    // Offsets of applied records are stored right after each batch; committing here makes
                    // sure the next owner of a revoked partition starts after them.
                    if case .revoked(_, let lost) = event, !lost {
                        do { try consumer.commit() } catch {
                            logger.warning(
                                "commit on revoke failed; the next owner re-reads applied records, which the ledger skips",
                                metadata: ["error": "\(error)"])
                        }
                    }
                    supervisor.rebalanced(event, consumer: consumer)
                    observer.rebalanced(event)
                })
        } catch {
            ledger.close()
            throw error
        }
        self.processor = IntakeProcessor(ledger: ledger, clock: clock)
        self.scheduler = DeadlineScheduler(ledger: ledger, policies: policies, clock: clock, lane: ledgerLane) {
            fired in
            observer.deadlinesFired(fired)
            for item in fired where item.outcome == .escalated {
                logger.notice(
                    "deadline missed; escalated",
                    metadata: [
                        "request_id": "\(CanonicalUUID.string(item.deadline.requestID))",
                        "deadline": "\(item.deadline.kind.rawValue)",
                        "level": "\(item.deadline.level)",
                        "late_ms":
                            "\(item.lateness.components.seconds * 1000 + item.lateness.components.attoseconds / 1_000_000_000_000_000)",
                    ])
            }
        }
        self.outcomeLog = OutcomeLog(logger: logger)
        self.deadLetterBudget = DeadLetterBudget(
            ledger: ledger, maxBytes: settings.maxDeadLetterBytes, clock: clock, metrics: metrics,
            log: outcomeLog.refusals)
        self.publisher = OutboxPublisher(
            ledger: ledger, producer: producer, clock: clock, logger: logger, batchSize: settings.publishBatchSize,
            ledgerLane: ledgerLane, signer: settings.signer
        ) { round, sent in
            observer.published(round, sent)
        }
    }

    /// Runs until `stop()` is called (or a graceful shutdown of an enclosing service group), then
    /// shuts down in order: intake stops after its batch, deadlines stop, the outbox is drained
    /// (up to `shutdownDrainTimeout`), the health check and then `httpServer` (if given) stop,
    /// offsets are committed, clients and ledger are closed. The loops run as services of one
    /// `ServiceGroup` (see `RelayServices.swift`). Throws when a fatal failure stopped the relay.
    ///
    /// Cancelling the calling task stops everything at once, the way a killed process stops: no
    /// offset stored after the batch in flight, no drain, no offset commit, no final revoke.
    /// Committed ledger transactions stay; everything else is done again after the next start.
    ///
    /// `extraServices` (the web console) start first and stop last, after `httpServer`; they
    /// must not write to the ledger, which closes after the group.
    public func run(serving httpServer: HealthServer? = nil, alongside extraServices: [any Service] = []) async throws {
        try consumer.subscribe(settings.subscriptions)
        logger.info(
            "freeze-relay running",
            metadata: [
                "ledger": "\(ledger.path)", "group": "\(settings.groupID)",
                "subscriptions": "\(settings.subscriptions)",
                "banks": "\(settings.policy.routing.banks.count)",
            ])
        // Events parked as unpublishable get one more chance: a limit may have been raised.
        let unparked = try ledger.unparkOutbox()
        if unparked > 0 {
            logger.notice("offering parked events to the broker again", metadata: ["count": "\(unparked)"])
        }
        deadLetterBudget.enforce()  // the budget may have been lowered while the relay was stopped
        // Deadlines that came due while the relay was down fire now, in due order.
        try scheduler.fireDue()
        publisher.nudge()

        // Listed in start order; the group stops them in reverse.
        var services: [any Service] = extraServices.map { ExtraService(inner: $0, daemon: self) }
        services += httpServer.map { [HTTPService(server: $0)] } ?? []
        services += [
            LoopService(description: "health check") { await self.healthLoop() },
            OutboxService(daemon: self),
            LoopService(description: "deadlines") {
                await self.scheduler.run(
                    afterFiring: { self.publisher.offer($0) }, onFailure: { self.fail(RuntimeFailure(wrapping: $0)) })
            },
            IntakeService(daemon: self),
        ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                logger: logger))
        do { try await group.run() } catch {
            // The services throw nothing; what the group reports is its own trouble.
            fail(.servicesOutOfOrder("\(error)"))
        }

        // The Kafka clients close only now that no service uses them any more.
        if Task.isCancelled {
            producer.close(timeout: .zero)
            consumer.abandon()
            ledger.close()
            return
        }
        let undelivered = producer.close(timeout: .seconds(5))
        if undelivered > 0 {
            logger.warning(
                "producer closed with undelivered records; they stay in the outbox",
                metadata: ["count": "\(undelivered)"])
        }
        do { try consumer.close() } catch {
            logger.warning("closing the consumer failed", metadata: ["error": "\(error)"])
        }
        ledger.close()
        outcomeLog.flushAll()
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

    /// Replaces the routing table, SLA settings and issuer registry (SIGHUP). Running timers keep
    /// their due times; new requests get the new settings; orders are judged by the new registry
    /// from the next poll batch on.
    public func reload(policy: RelayPolicy) throws {
        // Compared with the policy in force, not the one at start: reloads can follow each other.
        let before = RelaySettings.subscriptions(for: policies.policy)
        policies.replace(with: policy)
        let after = RelaySettings.subscriptions(for: policy)
        if after != before { try consumer.subscribe(after) }
        logger.notice(
            "routing table, SLA settings and issuer registry reloaded",
            metadata: [
                "banks": "\(policy.routing.banks.count)", "issuers": "\(policy.issuers.issuers.count)",
                "signature_policy": "\(policy.issuers.policy.rawValue)",
            ])
    }

    /// Routes every request kept as unroutable that the current routing table now covers.
    @discardableResult
    public func retryUnroutable() throws -> [UUID] {
        let routed = try RelayMaintenance.retryUnroutable(ledger: ledger, policy: policies.policy, clock: clock).map(
            \.requestID)
        logger.notice("retried unroutable requests", metadata: ["routed": "\(routed.count)"])
        scheduler.nudge()
        publisher.nudge()
        return routed
    }

    /// Checks what readiness depends on now: a broker answers, the ledger takes a write, the
    /// outbox is not backed up, the relay has not stopped, no partition is halted, intake keeps
    /// up. Blocks for up to `brokerTimeout` and writes the ledger's heartbeat; `/readyz` and
    /// `/metrics` use `lastHealth()` instead, which does neither.
    public func health(brokerTimeout: Duration = .seconds(2)) -> HealthReport {
        report(from: checkHealth(brokerTimeout: brokerTimeout), halts: (try? ledger.partitionHalts()) ?? [])
    }

    /// Readiness from the background check's last findings and what the relay knows in memory
    /// or reads from small indexes: never waits for the broker, never writes to the ledger.
    public func lastHealth() -> HealthReport {
        report(from: healthFindings.withLock { $0 }, halts: (try? ledger.partitionHalts()) ?? [])
    }

    /// The checks that wait for the broker or write: run by `healthLoop` every
    /// `healthCheckInterval`, and by `health(brokerTimeout:)`. Remembered for `lastHealth()`.
    private func checkHealth(brokerTimeout: Duration) -> HealthFindings {
        let writable = (try? ledger.write { tx in try tx.recordHeartbeat(at: clock.now()) }) != nil
        let findings = HealthFindings(
            brokerReachable: producer.brokerReachable(timeout: brokerTimeout), ledgerWritable: writable,
            lag: (try? consumer.lag(askingBrokerWithin: brokerTimeout)) ?? [])
        healthFindings.withLock { $0 = findings }
        return findings
    }

    private func report(from findings: HealthFindings?, halts: [PartitionHalt]) -> HealthReport {
        HealthReport(
            checked: findings != nil, brokerReachable: findings?.brokerReachable ?? false,
            ledgerWritable: findings?.ledgerWritable ?? false,
            outboxBacklog: try? ledger.outboxBacklog().unsent, maxOutboxBacklog: settings.maxOutboxBacklog,
            failure: failure.map { "\($0)" },
            haltedPartitions: halts.map {
                "\($0.topic)[\($0.partition)] (\($0.code.rawValue) since \($0.haltedAt.rfc3339))"
            },
            intakeStall: supervisor.stallReason(lag: findings?.lag ?? [], timeout: settings.intakeStallTimeout))
    }

    /// Checks health in the background, off the cooperative pool (the checks block), until the
    /// relay stops. Real time: this is a cadence, not a deadline.
    func healthLoop() async {
        while !Task.isCancelled {
            _ = await healthLane.run { [self] in checkHealth(brokerTimeout: .seconds(2)) }
            try? await Task.sleep(for: settings.healthCheckInterval)
        }
    }

    /// The Prometheus exposition, with ledger and consumer gauges refreshed now (health from the
    /// background check: a scrape never waits for the broker).
    public func metricsText() -> String {
        let halts = (try? ledger.partitionHalts()) ?? []
        metrics.refresh(
            from: ledger, lag: (try? consumer.lag()) ?? [],
            health: report(from: healthFindings.withLock { $0 }, halts: halts),
            halts: halts, now: clock.now())
        return metrics.render()
    }

    /// Serves `/healthz`, `/readyz` and `/metrics` on `host:port` until the returned server is closed.
    public func serveHTTP(host: String, port: UInt16) throws -> HealthServer {
        try HealthServer(host: host, port: port, routes: probeRoutes())
    }

    /// The answers of `/healthz`, `/readyz` and `/metrics`, for whichever server serves them (the
    /// health server, or the web console when it is asked to share the listener).
    public func probeRoutes() -> [String: HealthServer.Handler] {
        [
            "/healthz": { HTTPResponse(status: 200, body: "alive\n") },
            "/readyz": { [self] in
                let report = lastHealth()
                return report.isReady
                    ? HTTPResponse(status: 200, body: "ready\n")
                    : HTTPResponse(status: 503, body: "not ready: " + report.reasons.joined(separator: "; ") + "\n")
            },
            "/metrics": { [self] in
                HTTPResponse(
                    status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metricsText())
            },
        ]
    }

    /// Why the relay stopped by itself, if it did (readiness and the demo watch this).
    public var failure: RuntimeFailure? { state.withLock { $0.failure } }

    var stopping: Bool { state.withLock { $0.stopping || $0.failure != nil } }

    func fail(_ failure: RuntimeFailure) {
        state.withLock { if $0.failure == nil { $0.failure = failure } }
    }
}

/// What the checks that wait for the broker or write to the ledger found (see `checkHealth`).
struct HealthFindings: Sendable {
    var brokerReachable: Bool
    var ledgerWritable: Bool
    /// Per partition, with high watermarks asked from the broker.
    var lag: [PartitionLag]
}
