import Contracts
import EmbeddedKafka
import Foundation
import Histogram
import Ledger
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// Deadlines firing together: a ledger holding `open` routed requests whose timers lie in the
/// future, plus `due` urgent requests whose acknowledgement deadline falls at the same instant a
/// few seconds after the daemon started. The real daemon (default settings, embedded broker) fires
/// them; a watcher on the escalations topic sees each escalation arrive. Lateness is from the due
/// instant to the moment the watcher read the escalation, so it includes publishing.
enum TimerBench {
    struct Result {
        var open: Int
        var due: Int
        var fillSeconds: Double
        var seen: Int
        var histogram: Histogram<UInt64>
    }

    static func run(open: Int, due: Int, policy: RelayPolicy, logger: Logger) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-timers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledgerPath = directory.appendingPathComponent("ledger.sqlite").path
        let engine = RelayEngine(policy: policy)

        let filling = ContinuousClock.now
        let ledger = try Ledger.open(at: ledgerPath)
        try fill(ledger, requests: open, engine: engine)
        let fillSeconds = Bench.seconds(ContinuousClock.now - filling)

        // The due requests: urgent, received so that their acknowledgement deadline is `dueAt`.
        let dueAt = Timestamp(Date().addingTimeInterval(15))
        let acknowledge = policy.sla.responseTimes(for: .urgent).acknowledge
        let receivedAt = dueAt.subtracting(acknowledge)
        var dueRequests = Set<UUID>()
        try ledger.write { tx in
            for item in 0..<due {
                var request = Bench.request(index: open + item, at: receivedAt)
                request.priority = .urgent
                dueRequests.insert(request.requestID)
                try receive(request, engine: engine, tx: tx, now: receivedAt, offset: open + item)
            }
        }
        ledger.close()

        let broker = try EmbeddedBroker(
            brokers: 1, topics: ThroughputBench.topics(policy: policy, partitions: 4), logger: logger)
        defer { broker.close() }
        let settings = RelaySettings(
            kafka: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers]), policy: policy,
            ledgerPath: ledgerPath)
        let daemon = try RelayDaemon(settings: settings, logger: logger)
        let relay = Task { try await daemon.run() }
        defer { daemon.stop() }
        let watcher = try await Bench.watcher(
            [policy.topics.escalations], group: "bench-timers-watch", bootstrap: broker.bootstrapServers, logger: logger
        )

        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var seen = 0
        let giveUp = dueAt.date.addingTimeInterval(120)
        while seen < due, Date() < giveUp {
            let batch = try await watcher.nextBatch(maxMessages: 5_000, timeout: .milliseconds(50))
            let arrived = Date()
            for message in batch {
                guard case .escalation(let escalation)? = try? EventDecoder.decodeEvent(message.value ?? []),
                    dueRequests.remove(escalation.requestID) != nil
                else { continue }
                seen += 1
                _ = histogram.record(UInt64(max(0, arrived.timeIntervalSince(dueAt.date) * 1e6)))
            }
        }
        try? watcher.close()
        daemon.stop()
        _ = try? await relay.value
        return Result(open: open, due: due, fillSeconds: fillSeconds, seen: seen, histogram: histogram)
    }

    /// Fills a ledger with `count` routed requests, received "tomorrow" so that none of their timers
    /// falls due however long filling and measuring take, in transactions of 10,000.
    /// The requests arrive a day ahead, so that none of their timers comes due while a bench runs.
    static func fill(_ ledger: Ledger, requests count: Int, engine: RelayEngine) throws {
        let now = Timestamp(Date()).adding(seconds: 86_400)
        var index = 0
        while index < count {
            let end = min(count, index + 10_000)
            try ledger.write { tx in
                for item in index..<end {
                    try receive(Bench.request(index: item, at: now), engine: engine, tx: tx, now: now, offset: item)
                }
            }
            index = end
        }
    }

    /// Routes `request` at `now` straight into the ledger, as intake would (no outgoing events).
    static func receive(
        _ request: FreezeRequest, engine: RelayEngine, tx: borrowing RelayTransaction, now: Timestamp, offset: Int
    ) throws {
        let cause = Cause.record(topic: "bench", partition: 0, offset: Int64(offset), eventID: request.id)
        let effects = engine.receive(
            request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
            case: CaseContext(caseID: request.caseID), cause: cause, now: now)
        try tx.apply(effects, outbox: [], at: now)
    }
}
