import Contracts
import CoreMetrics
import Foundation
import Ledger
import Prometheus
import Relay
import RelayKafka
import Synchronization

/// The relay's metrics, through swift-metrics, exposed in Prometheus text format.
///
/// Counters and histograms move as things happen (records consumed, events published, timers
/// fired). Gauges that describe the ledger (open requests, backlog, compliance) and the
/// consumer (lag) are refreshed when scraped, so they are exact at scrape time and cost nothing
/// in between; the ledger's side is read from counts it keeps as rows change (schema version 9),
/// so a scrape costs the same on a ledger of any size.
public final class RelayMetrics: Sendable {
    /// The registry `/metrics` renders. One per daemon, so tests can run several side by side.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Latencies already fed into the histograms: requests answered after this are new. It starts
    /// at the daemon's start, like every other counter of the process: answers from before were
    /// exported by the process that saw them, and reading them again would read the ledger's whole
    /// history at the first scrape (seconds and a hundred MiB on a ledger of a million requests).
    private let latencyWatermark: Mutex<Timestamp>
    /// Label sets set last time, so a gauge whose series disappeared is set back to zero.
    private let lastGaugeSeries = Mutex<[String: Set<[String]>]>([:])

    static let latencyBuckets: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200]
    static let latenessBuckets: [Double] = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 3600, 86_400]

    /// `start`: when the process began counting (see `latencyWatermark`).
    public init(countingFrom start: Timestamp) {
        latencyWatermark = Mutex(start)
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = [
            "freeze_relay_time_to_acknowledge_seconds": Self.latencyBuckets,
            "freeze_relay_time_to_freeze_seconds": Self.latencyBuckets,
            "freeze_relay_deadline_lateness_seconds": Self.latenessBuckets,
        ]
        self.factory = factory
    }

    /// The Prometheus text exposition.
    public func render() -> String { registry.emitToString() }

    // MARK: Events

    func consumed(_ outcomes: [IntakeOutcome]) {
        for outcome in outcomes {
            Counter(
                label: "freeze_relay_records_consumed_total", dimensions: [("topic", outcome.topic)], factory: factory
            ).increment()
            if let code = outcome.deadLetterCode {
                Counter(
                    label: "freeze_relay_records_dead_lettered_total",
                    dimensions: [("topic", outcome.topic), ("code", code.rawValue)], factory: factory
                ).increment()
            }
            if let unverified = outcome.unverified {
                Counter(
                    label: "freeze_relay_records_unverified_total",
                    dimensions: [("topic", outcome.topic), ("reason", unverified.rawValue)], factory: factory
                ).increment()
            }
            if outcome.failure != nil {
                Counter(
                    label: "freeze_relay_internal_errors_total", dimensions: [("topic", outcome.topic)],
                    factory: factory
                ).increment()
            }
        }
    }

    func published(_ messages: [OutboxMessage]) {
        for message in messages {
            Counter(
                label: "freeze_relay_events_published_total",
                dimensions: [("topic", message.topic), ("type", message.eventType)], factory: factory
            ).increment()
            guard message.eventType == EventType.escalation.rawValue,
                case .escalation(let escalation)? = try? EventDecoder.decodeEvent(message.payload)
            else { continue }
            Counter(
                label: "freeze_relay_escalations_total",
                dimensions: [
                    ("bank", escalation.bankID?.rawValue ?? "none"), ("kind", escalation.kind.rawValue),
                    ("level", "\(escalation.level)"),
                ],
                factory: factory
            ).increment()
        }
    }

    func partitionHalted(_ halt: PartitionHalt) {
        Counter(
            label: "freeze_relay_partition_halts_total",
            dimensions: [("topic", halt.topic), ("code", halt.code.rawValue)], factory: factory
        ).increment()
    }

    /// Records skipped because they were applied before (one entry per record).
    func skipped(_ partitions: [TopicPartition]) {
        for (topic, records) in Dictionary(grouping: partitions, by: \.topic) {
            Counter(label: "freeze_relay_records_skipped_total", dimensions: [("topic", topic)], factory: factory)
                .increment(by: records.count)
        }
    }

    func deadlinesFired(_ fired: [FiredDeadline]) {
        let recorder = Recorder(
            label: "freeze_relay_deadline_lateness_seconds", dimensions: [], aggregate: true, factory: factory)
        for item in fired {
            let (seconds, attoseconds) = item.lateness.components
            recorder.record(max(0, Double(seconds) + Double(attoseconds) / 1e18))
        }
    }

    /// The dead letters the ledger stores: `freeze_relay_dead_letter_bytes` (their payloads),
    /// `freeze_relay_dead_letters_stored` and `freeze_relay_dead_letters_content_dropped`.
    func deadLetterStats(_ stats: DeadLetterStats) {
        gauge("freeze_relay_dead_letter_bytes", value: Double(stats.payloadBytes))
        gauge("freeze_relay_dead_letters_stored", value: Double(stats.stored))
        gauge("freeze_relay_dead_letters_content_dropped", value: Double(stats.contentDropped))
    }

    /// Dead letters whose content was dropped to keep the ledger within its dead-letter budget.
    func deadLetterContentDropped(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "freeze_relay_dead_letter_payloads_trimmed_total", dimensions: [], factory: factory).increment(
            by: count)
    }

    // MARK: Scrape-time refresh

    /// Sets every ledger- and consumer-derived gauge, and feeds newly answered requests into the
    /// latency histograms.
    func refresh(from ledger: Ledger, lag: [PartitionLag], health: HealthReport, halts: [PartitionHalt], now: Timestamp)
    {
        if let snapshot = try? ledger.reader.metricsSnapshot(now: now) {
            setGauges(
                "freeze_relay_requests_open", ["bank", "state"],
                snapshot.openRequests.map { ([$0.bankID?.rawValue ?? "none", $0.state.rawValue], Double($0.count)) })
            setGauges(
                "freeze_relay_escalations_open", ["bank", "kind"],
                snapshot.escalations.filter { $0.open > 0 }.reduce(into: [[String]: Double]()) { sums, row in
                    sums[[row.bankID?.rawValue ?? "none", row.kind.rawValue], default: 0] += Double(row.open)
                }.map { ($0.key, $0.value) })
            gauge("freeze_relay_deadlines_open", value: Double(snapshot.openDeadlines))
            gauge("freeze_relay_outbox_backlog", value: Double(snapshot.outboxUnsent))
            gauge("freeze_relay_outbox_parked", value: Double(snapshot.outboxParked))
            gauge("freeze_relay_outbox_oldest_age_seconds", value: snapshot.outboxOldestAgeSeconds ?? 0)
            setGauges(
                "freeze_relay_sla_compliance_ratio", ["bank"],
                snapshot.answers.compactMap { row in
                    let answered = row.inTime + row.late
                    return answered == 0 ? nil : ([row.bankID.rawValue], Double(row.inTime) / Double(answered))
                })
        }
        if let stats = try? ledger.reader.deadLetterStats() { deadLetterStats(stats) }
        feedLatencies(from: ledger, now: now)
        setGauges(
            "freeze_relay_consumer_lag", ["topic", "partition"],
            lag.compactMap { entry in
                entry.lag.map { ([entry.topicPartition.topic, "\(entry.topicPartition.partition)"], Double($0)) }
            })
        setGauges(
            "freeze_relay_partition_halted", ["topic", "partition", "code"],
            halts.map { ([$0.topic, "\($0.partition)", $0.code.rawValue], 1) })
        gauge("freeze_relay_partitions_halted", value: Double(halts.count))
        gauge("freeze_relay_broker_reachable", value: health.brokerReachable ? 1 : 0)
        gauge("freeze_relay_ledger_writable", value: health.ledgerWritable ? 1 : 0)
        gauge("freeze_relay_ready", value: health.isReady ? 1 : 0)
    }

    private func feedLatencies(from ledger: Ledger, now: Timestamp) {
        let since = latencyWatermark.withLock { $0 }
        guard let latencies = try? ledger.reader.recentLatencies(since: since, until: now) else { return }
        for bank in latencies {
            let acknowledge = Recorder(
                label: "freeze_relay_time_to_acknowledge_seconds", dimensions: [("bank", bank.bankID.rawValue)],
                aggregate: true, factory: factory)
            for seconds in bank.acknowledgeSeconds { acknowledge.record(seconds) }
            let freeze = Recorder(
                label: "freeze_relay_time_to_freeze_seconds", dimensions: [("bank", bank.bankID.rawValue)],
                aggregate: true, factory: factory)
            for seconds in bank.freezeSeconds { freeze.record(seconds) }
        }
        latencyWatermark.withLock { $0 = now }
    }

    private func gauge(_ label: String, value: Double) {
        Gauge(label: label, dimensions: [], factory: factory).record(value)
    }

    /// Sets a labelled gauge family, zeroing series that existed before but are gone now.
    private func setGauges(_ label: String, _ names: [String], _ series: [([String], Double)]) {
        let current = Set(series.map(\.0))
        let gone = lastGaugeSeries.withLock { last in
            defer { last[label] = current }
            return (last[label] ?? []).subtracting(current)
        }
        for (values, value) in series {
            Gauge(label: label, dimensions: Array(zip(names, values)), factory: factory).record(value)
        }
        for values in gone {
            Gauge(label: label, dimensions: Array(zip(names, values)), factory: factory).record(0)
        }
    }
}
