import Contracts
import EmbeddedKafka
import Foundation
import Ledger
import Logging
import Relay
import RelayKafka
import Synchronization
import Testing

@testable import RelayRuntime

/// A decoded event read back from one of the relay's output topics.
struct Seen: Sendable {
    var topic: String
    var key: String?
    var event: Event
    var headers: [KafkaHeader]
    /// The record's value as published.
    var value: [UInt8] = []
}

/// Reads everything the relay publishes (status, escalations, dead letters, bank request topics).
final class OutputWatcher: Sendable {
    let consumer: KafkaConsumer
    private let seen = Mutex<[Seen]>([])

    init(bootstrap: String) throws {
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": bootstrap, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
                "topic.metadata.refresh.interval.ms": "1000",
            ]),
            groupID: "watcher-\(UUID().uuidString.prefix(8))", logger: quietLogger)
        try consumer.subscribe(["^freeze\\.(status|escalations|deadletter)$", "^freeze\\.bank\\..*\\.requests$"])
    }

    var all: [Seen] { seen.withLock { $0 } }

    /// Polls until `condition` holds for what was seen, or fails after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: ([Seen]) -> Bool) async throws -> [Seen]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = all
            if condition(current) { return current }
            guard ContinuousClock.now < deadline else {
                throw HarnessTimeout(
                    what: what, seen: current.map { "\($0.topic) \($0.event.type.rawValue) \(summary($0.event))" })
            }
            let batch = try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200))
            let decoded = batch.compactMap { message -> Seen? in
                guard let event = try? EventDecoder.decodeEvent(message.value ?? []) else { return nil }
                return Seen(
                    topic: message.topic, key: message.key.map { String(decoding: $0, as: UTF8.self) }, event: event,
                    headers: message.headers,
                    value: message.value ?? [])
            }
            seen.withLock { $0 += decoded }
        }
    }

    func close() { try? consumer.close() }
}

func summary(_ event: Event) -> String {
    switch event {
    case .requestStatus(let status): "\(status.status.rawValue) \(status.requestID)"
    case .escalation(let escalation): "\(escalation.kind.rawValue) L\(escalation.level)"
    case .escalationResolved(let resolved): "resolved \(resolved.resolution.rawValue)"
    case .deadLetter(let letter): "dead letter \(letter.reason.code.rawValue)"
    default: "\(event.id)"
    }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: [String]
    var description: String { "timed out waiting for \(what); saw \(seen.count) events: \(seen.suffix(20))" }
}

/// A mock cluster, a relay daemon on a temporary ledger with a manual clock, a producer playing
/// police and banks, and a watcher on the relay's outputs.
final class Harness: Sendable {
    let cluster: MockCluster
    let clock: ManualClock
    let directory: URL
    let police: KafkaProducer
    let watcher: OutputWatcher
    let policy: RelayPolicy
    private let running = Mutex<(daemon: RelayDaemon, task: Task<Void, any Error>)?>(nil)

    /// `partitions` is per relay topic (banks' topics get two thirds of it): the mock broker keeps
    /// only ~5 MiB per partition, so long streams need more of them. `directory`: where the ledger
    /// lives; give another harness's to move its ledger to a new cluster.
    init(
        policy: RelayPolicy = testPolicy(), start: Timestamp = t0, partitions: Int32 = 3, brokers: Int = 1,
        directory: URL? = nil
    ) throws {
        cluster = try MockCluster(brokers: brokers, logger: quietLogger)
        for topic in ["freeze.requests", "freeze.status", "freeze.escalations", "freeze.deadletter"] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        for bank in policy.routing.banks.keys {
            try cluster.createTopic(policy.topics.bankRequests(bank), partitions: max(2, partitions * 2 / 3))
            try cluster.createTopic(policy.topics.bankResponses(bank), partitions: max(2, partitions * 2 / 3))
        }
        clock = ManualClock(start)
        self.directory =
            directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)")
        police = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers]), logger: quietLogger)
        watcher = try OutputWatcher(bootstrap: cluster.bootstrapServers)
        self.policy = policy
    }

    var ledgerPath: String { directory.appendingPathComponent("ledger.sqlite").path }

    var settings: RelaySettings {
        RelaySettings(
            kafka: KafkaConfiguration([
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
                "topic.metadata.refresh.interval.ms": "1000", "reconnect.backoff.max.ms": "500",
                "message.timeout.ms": "20000",
            ]),
            groupID: "relay", policy: policy, ledgerPath: ledgerPath, intakeBatchSize: 100,
            shutdownDrainTimeout: .seconds(10))
    }

    /// Starts a relay daemon (a new one after `stop` or `crash`), with `adjust` applied to its settings.
    @discardableResult
    func start(
        logger: Logger = quietLogger, observer: RelayObserver = RelayObserver(),
        adjust: (inout RelaySettings) -> Void = { _ in }
    ) throws -> RelayDaemon {
        var settings = settings
        adjust(&settings)
        let daemon = try RelayDaemon(settings: settings, clock: clock, logger: logger, observer: observer)
        let task = Task { try await daemon.run() }
        running.withLock { $0 = (daemon, task) }
        return daemon
    }

    var daemon: RelayDaemon? { running.withLock { $0?.daemon } }

    /// Graceful stop; rethrows what `run` threw. With `waitingForFailure`, lets the daemon stop
    /// by itself (after a fatal failure) instead of asking it to, for at most two minutes.
    func stop(waitingForFailure: Bool = false) async throws {
        guard
            let (daemon, task) = running.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return }
        guard waitingForFailure else {
            daemon.stop()
            return try await task.value
        }
        // A failure that never comes must fail the test, not hang the suite: after two minutes the
        // daemon is asked to stop, and `run` returns without the error the caller expects.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            daemon.stop()
        }
        defer { watchdog.cancel() }
        try await task.value
    }

    /// Drops the daemon the way a kill would: cancels the task running it (no offsets stored after
    /// the batch in flight, no drain, no commit, no goodbye to the group).
    func crash() async throws {
        guard
            let (_, task) = running.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return }
        task.cancel()
        try await task.value
    }

    func publish(_ message: OutgoingMessage) async throws {
        _ = try await police.send(message)
    }

    func publishRequest(_ request: FreezeRequest) async throws {
        try await publish(record(request, topic: policy.topics.requests))
    }

    func publishAnswer(_ response: BankResponse, from bank: String) async throws {
        try await publish(record(response, topic: policy.topics.bankResponses(try BankID(bank))))
    }

    /// Reads the ledger with a read-only connection (safe while the daemon runs).
    func readLedger<T>(_ body: (LedgerReader) throws -> T) throws -> T {
        let reader = try LedgerReader.open(at: ledgerPath)
        defer { reader.close() }
        return try body(reader)
    }

    /// Stops everything; `keepingLedger` leaves the ledger's directory for another harness.
    func shutdown(keepingLedger: Bool = false) async {
        try? await stop()
        watcher.close()
        police.close(timeout: .seconds(2))
        cluster.close()
        if !keepingLedger { try? FileManager.default.removeItem(at: directory) }
    }
}

extension [Seen] {
    func statuses(_ kind: StatusKind, for request: UUID? = nil) -> [RequestStatus] {
        compactMap {
            if case .requestStatus(let s) = $0.event, s.status == kind, request == nil || s.requestID == request {
                s
            } else {
                nil
            }
        }
    }

    func escalations(_ kind: EscalationKind? = nil, for request: UUID? = nil) -> [Escalation] {
        compactMap {
            if case .escalation(let e) = $0.event, kind == nil || e.kind == kind,
                request == nil || e.requestID == request
            {
                e
            } else {
                nil
            }
        }
    }

    var resolutions: [EscalationResolved] {
        compactMap { if case .escalationResolved(let r) = $0.event { r } else { nil } }
    }

    func routed(_ request: UUID? = nil) -> [RoutedRequest] {
        compactMap {
            if case .routedRequest(let r) = $0.event, request == nil || r.requestID == request { r } else { nil }
        }
    }

    func intakeNotices(_ kind: IntakeNotice.Kind) -> [IntakeNotice] {
        compactMap { if case .intakeNotice(let n) = $0.event, n.kind == kind { n } else { nil } }
    }

    var deadLetters: [DeadLetter] {
        compactMap { if case .deadLetter(let d) = $0.event { d } else { nil } }
    }
}
