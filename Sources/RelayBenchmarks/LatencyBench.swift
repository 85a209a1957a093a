import Contracts
import EmbeddedKafka
import Foundation
import Histogram
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// Latency under a steady offered load: police requests published at a fixed rate (open loop: the
/// generator keeps its schedule whatever the relay does), the real daemon with its default
/// settings routes them, and a watcher on the bank topics sees each routed request arrive.
///
/// Latency is from the moment a request was *due* to be published (not when the generator got
/// round to it, so a stalled relay cannot hide behind a stalled generator) to the moment the
/// watcher read the routed request from the bank's topic. It therefore includes the police
/// producer's linger (1 ms here) and the watcher's own fetch (fetch.wait.max.ms 5 ms): the figure is
/// an upper bound of the relay's own share.
enum LatencyBench {
    struct Result {
        var offered: Int
        var seconds: Int
        var published: Int
        var measured: Int
        var missing: Int
        var histogram: Histogram<UInt64>
        /// The two legs of each measured latency, split at the relay's decision (the routed
        /// request's `created_at`, a wall-clock time in milliseconds from the same machine):
        /// due → decided (poll, judge, decide) and decided → read from the bank topic (commit,
        /// publish, the watcher's fetch). Microseconds.
        var toDecision: Histogram<UInt64>
        var fromDecision: Histogram<UInt64>
        var cpuMicrosecondsPerRequest: Double

        /// Microseconds at a percentile (0–100).
        func micros(_ percentile: Double) -> UInt64 { histogram.valueAtPercentile(percentile) }
    }

    /// `relayFetchWait`: the relay's fetch.wait.max.ms in milliseconds, or nil for its default. The
    /// embedded broker holds a fetch for that long when it found nothing new, even if records
    /// arrive meanwhile (a real broker answers as soon as they do); a few milliseconds here stand
    /// for a real broker's behaviour.
    static func run(
        rate: Int, seconds: Int, warmup: Int, partitions: Int32, relayFetchWait: Int? = nil, policy: RelayPolicy,
        logger: Logger
    ) async throws -> Result {
        let broker = try EmbeddedBroker(
            brokers: 1, topics: ThroughputBench.topics(policy: policy, partitions: partitions), logger: logger)
        defer { broker.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-latency-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The daemon as shipped: nothing but the broker's address is set (and the fetch wait, if asked).
        var kafka = ["bootstrap.servers": broker.bootstrapServers]
        if let relayFetchWait { kafka["fetch.wait.max.ms"] = "\(relayFetchWait)" }
        let settings = RelaySettings(
            kafka: KafkaConfiguration(kafka), policy: policy,
            ledgerPath: directory.appendingPathComponent("ledger.sqlite").path)
        let assigned = Mutex(false)
        let observer = RelayObserver()
        observer.add(rebalanced: { event in
            if case .assigned(let partitions) = event, !partitions.isEmpty { assigned.withLock { $0 = true } }
        })
        let daemon = try RelayDaemon(settings: settings, logger: logger, observer: observer)
        let relay = Task { try await daemon.run() }
        defer { daemon.stop() }

        let watcher = try await Bench.watcher(
            policy.routing.banks.keys.map { policy.topics.bankRequests($0) }, group: "bench-latency-watch",
            bootstrap: broker.bootstrapServers, logger: logger)
        let joinedBy = ContinuousClock.now + .seconds(60)
        while !assigned.withLock({ $0 }), ContinuousClock.now < joinedBy {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard assigned.withLock({ $0 }) else {
            throw BenchError("the relay was not assigned its partitions within 60 s")
        }

        // Intended publication instants by request id; the watcher takes them out as routed requests arrive.
        let due = Mutex<[UUID: ContinuousClock.Instant]>([:])
        let histogram = Mutex(
            Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three))
        let legs = Mutex(
            (
                Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three),
                Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
            ))
        let measuredFrom = Mutex<ContinuousClock.Instant?>(nil)
        let seen = Mutex(0)
        let watching = Task {
            while !Task.isCancelled {
                guard let batch = try? await watcher.nextBatch(maxMessages: 5_000, timeout: .milliseconds(50)) else {
                    continue
                }
                let arrived = ContinuousClock.now
                let arrivedWall = Date()
                for message in batch {
                    guard case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []),
                        let intended = due.withLock({ $0.removeValue(forKey: routed.requestID) })
                    else { continue }
                    seen.withLock { $0 += 1 }
                    guard let from = measuredFrom.withLock({ $0 }), intended >= from else { continue }
                    let micros = UInt64(max(0, Bench.seconds(arrived - intended) * 1e6))
                    _ = histogram.withLock { $0.record(micros) }
                    let afterDecision = UInt64(
                        min(Double(micros), max(0, arrivedWall.timeIntervalSince(routed.createdAt.date) * 1e6)))
                    legs.withLock { legs in
                        _ = legs.0.record(micros - afterDecision)
                        _ = legs.1.record(afterDecision)
                    }
                }
            }
        }

        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]),
            logger: logger)
        let total = rate * (warmup + seconds)
        let interval = 1.0 / Double(rate)
        let now = Timestamp(Date())
        let began = ContinuousClock.now
        var cpuBefore = 0.0
        var published = 0
        while published < total {
            // Publish everything due by now, then sleep to the next millisecond.
            let elapsed = Bench.seconds(ContinuousClock.now - began)
            let dueCount = min(total, Int(elapsed / interval) + 1)
            while published < dueCount {
                if published == rate * warmup {
                    measuredFrom.withLock { $0 = began + .seconds(Double(published) * interval) }
                    cpuBefore = ThroughputBench.cpuTime()
                }
                let request = Bench.request(index: published, at: now)
                let message = OutgoingMessage(
                    topic: "freeze.requests", key: Array(CanonicalUUID.string(request.requestID).utf8),
                    value: try EventEncoder.encode(request))
                due.withLock { $0[request.requestID] = began + .seconds(Double(published) * interval) }
                while !(try Bench.enqueue(message, on: producer)) { producer.flush(timeout: .milliseconds(5)) }
                published += 1
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let settleBy = ContinuousClock.now + .seconds(30)
        while seen.withLock({ $0 }) < total, ContinuousClock.now < settleBy {
            try await Task.sleep(for: .milliseconds(20))
        }
        let cpu = ThroughputBench.cpuTime() - cpuBefore
        watching.cancel()
        _ = await watching.value
        producer.close(timeout: .seconds(5))
        try? watcher.close()
        daemon.stop()
        _ = try? await relay.value
        let recorded = histogram.withLock { $0 }
        let missing = total - seen.withLock { $0 }
        // CPU of the whole process (relay, generator and watcher) per measured request.
        return Result(
            offered: rate, seconds: seconds, published: published, measured: Int(recorded.totalCount), missing: missing,
            histogram: recorded, toDecision: legs.withLock { $0.0 }, fromDecision: legs.withLock { $0.1 },
            cpuMicrosecondsPerRequest: cpu / Double(max(rate * seconds, 1)) * 1e6)
    }
}
