import Authenticity
import Contracts
import EmbeddedKafka
import Foundation
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// Throughput of a backlog: `count` requests already on the requests topic, drained by the real
/// daemon; and, in the same run on the same embedded broker, the ceiling — a raw librdkafka
/// consume → produce pipe over records of the same size, with no parsing and no storage.
enum ThroughputBench {
    struct Result {
        var count: Int
        var seconds: Double
        var cpuSeconds: Double
        var rate: Double { Double(count) / seconds }
        var cpuMicrosecondsPerRecord: Double { cpuSeconds / Double(count) * 1e6 }
    }

    /// User + system CPU time of this process so far.
    static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func topics(policy: RelayPolicy, partitions: Int32) -> [EmbeddedBroker.TopicSpec] {
        [
            .init(name: "freeze.requests", partitions: partitions),
            .init(name: "freeze.status", partitions: partitions),
            .init(name: "freeze.escalations", partitions: 4), .init(name: "freeze.deadletter", partitions: 4),
            .init(name: "raw.in", partitions: partitions), .init(name: "raw.out", partitions: partitions),
        ]
            + policy.routing.banks.keys.flatMap {
                [
                    EmbeddedBroker.TopicSpec(name: policy.topics.bankRequests($0), partitions: partitions),
                    EmbeddedBroker.TopicSpec(name: policy.topics.bankResponses($0), partitions: 2),
                ]
            }
    }

    /// Produces `count` requests (their real encoding) to `topic`, keyed by request id, and waits for
    /// every acknowledgement.
    static func preload(_ count: Int, topic: String, bootstrap: String, logger: Logger, signing: Signing? = nil) throws
        -> Int
    {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "linger.ms": "20"]), logger: logger)
        defer { producer.close(timeout: .seconds(10)) }
        let now = Timestamp(Date())
        var bytes = 0
        for index in 0..<count {
            let request = Bench.request(index: index, at: now)
            let value = try EventEncoder.encode(request)
            bytes += value.count
            let headers =
                try signing.map {
                    [
                        KafkaHeader(
                            name: DetachedJWS.headerName,
                            value: Array(try DetachedJWS.sign(value, with: $0.police, keyID: "bench-police-1").utf8))
                    ]
                } ?? []
            let message = OutgoingMessage(
                topic: topic, key: Array(CanonicalUUID.string(request.requestID).utf8), value: value, headers: headers)
            while !(try Bench.enqueue(message, on: producer)) { producer.flush(timeout: .milliseconds(50)) }
        }
        guard producer.flush(timeout: .seconds(120)) else {
            throw BenchError("preloading \(count) records did not finish")
        }
        return bytes / max(count, 1)
    }

    /// The ceiling: consume `raw.in`, produce every record unchanged to `raw.out`, until all are
    /// acknowledged. Timed from the first record consumed.
    static func rawPipe(count: Int, bootstrap: String, consumerSettings: [String: String], logger: Logger) async throws
        -> Result
    {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(
                consumerSettings.merging(["bootstrap.servers": bootstrap]) { _, new in new }),
            groupID: "bench-raw", logger: logger)
        try consumer.subscribe(["raw.in"])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "linger.ms": "5"]), logger: logger)
        let acknowledged = Mutex(0)
        var began: ContinuousClock.Instant?
        var cpuBefore = 0.0
        var consumed = 0
        let deadline = ContinuousClock.now + .seconds(600)
        while acknowledged.withLock({ $0 }) < count, ContinuousClock.now < deadline {
            let batch = try await consumer.nextBatch(maxMessages: 1000, timeout: .milliseconds(100))
            if began == nil, !batch.isEmpty {
                began = .now
                cpuBefore = cpuTime()
            }
            for record in batch {
                let message = OutgoingMessage(
                    topic: "raw.out", key: record.key, value: record.value, headers: record.headers)
                while !(try Bench.enqueue(
                    message, on: producer, onDelivery: { if case .success = $0 { acknowledged.withLock { $0 += 1 } } }))
                {
                    producer.flush(timeout: .milliseconds(10))
                }
            }
            consumed += batch.count
            try consumer.store(batch)
        }
        _ = producer.flush(timeout: .seconds(30))
        let elapsed = began.map { Bench.seconds(ContinuousClock.now - $0) } ?? .nan
        let result = Result(count: consumed, seconds: elapsed, cpuSeconds: cpuTime() - cpuBefore)
        producer.close(timeout: .seconds(5))
        try? consumer.close()
        return result
    }

    /// The relay: a daemon drains `count` preloaded requests; timed from the first record applied
    /// to the publication of the last routed request.
    static func relay(
        count: Int, policy: RelayPolicy, bootstrap: String, consumerSettings: [String: String], logger: Logger,
        signing: Signing? = nil, intakeBatch: Int? = nil
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-throughput-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var policy = policy
        if let signing { policy.issuers = try signing.registry(for: policy) }
        var settings = RelaySettings(
            kafka: KafkaConfiguration(consumerSettings.merging(["bootstrap.servers": bootstrap]) { _, new in new }),
            policy: policy, ledgerPath: directory.appendingPathComponent("ledger.sqlite").path, signer: signing?.relay)
        if let intakeBatch { settings.intakeBatchSize = intakeBatch }
        struct Progress {
            var began: ContinuousClock.Instant?
            var cpuBefore = 0.0
            var applied = 0
            var batches = 0
            var appliedAll: ContinuousClock.Instant?
            var routed = 0
            var finished: ContinuousClock.Instant?
        }
        let progress = Mutex(Progress())
        let observer = RelayObserver()
        observer.add(
            applied: { outcomes in
                progress.withLock { state in
                    if state.began == nil {
                        state.began = .now
                        state.cpuBefore = cpuTime()
                    }
                    state.applied += outcomes.count
                    state.batches += 1
                    if state.applied >= count, state.appliedAll == nil { state.appliedAll = .now }
                }
            },
            published: { _, sent in
                let routed = sent.filter { $0.eventType == EventType.routedRequest.rawValue }.count
                guard routed > 0 else { return }
                progress.withLock { state in
                    state.routed += routed
                    if state.routed >= count, state.finished == nil { state.finished = .now }
                }
            })
        let daemon = try RelayDaemon(settings: settings, logger: logger, observer: observer)
        let relay = Task { try await daemon.run() }
        let deadline = ContinuousClock.now + .seconds(900)
        while progress.withLock({ $0.finished == nil }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let state = progress.withLock { $0 }
        let cpu = cpuTime() - state.cpuBefore
        daemon.stop()
        _ = try? await relay.value
        guard let began = state.began, let finished = state.finished else {
            throw BenchError("the relay routed \(state.routed) of \(count) requests")
        }
        if let appliedAll = state.appliedAll {
            print(
                String(
                    format:
                        "relay: intake applied all %d requests in %d batches after %.2f s; the last routed request was published after %.2f s",
                    count, state.batches, Bench.seconds(appliedAll - began), Bench.seconds(finished - began)))
        }
        // Everything it queued was sent: what the ledger keeps per request once the work is done.
        let ledgerSize = (try? FileManager.default.attributesOfItem(atPath: settings.ledgerPath)[.size] as? Int) ?? nil
        if let ledgerSize {
            print(
                String(
                    format: "relay: ledger after the run %.0f bytes per request (every event sent)",
                    Double(ledgerSize) / Double(count)))
        }
        return Result(count: count, seconds: Bench.seconds(finished - began), cpuSeconds: cpu)
    }

    /// Both, in one run on one broker, printed as a table.
    /// With `--signed`: every police record signed, judged under `require`, and the relay signing
    /// what it routes, as the shipped configuration runs.
    struct Signing {
        let police = SigningKey.generate()
        let relay = try! RelaySigner(keyID: "bench-relay-1", key: SigningKey.generate())

        func registry(for policy: RelayPolicy) throws -> IssuerRegistry {
            try IssuerRegistry(
                policy: .require,
                issuers: [
                    .init(
                        id: "bench-police", agencies: [Bench.request(index: 0, at: Timestamp(Date())).issuer.agency],
                        keys: [.init(keyID: "bench-police-1", key: police.publicKey)])
                ])
        }
    }

    /// `intakeBatch`: the relay's intake batch size instead of its default (an A/B switch).
    static func run(
        count: Int, partitions: Int32, policy: RelayPolicy, logger: Logger, signed: Bool = false,
        intakeBatch: Int? = nil
    ) async throws {
        let signing = signed ? Signing() : nil
        let broker = try EmbeddedBroker(
            brokers: 1, topics: topics(policy: policy, partitions: partitions), logger: logger)
        defer { broker.close() }
        // Neutral consumer settings: the embedded broker holds an empty fetch for the full
        // fetch.wait.max.ms, which a real broker cuts short when data arrives.
        let consumer = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        let size = try preload(count, topic: "raw.in", bootstrap: broker.bootstrapServers, logger: logger)
        _ = try preload(
            count, topic: "freeze.requests", bootstrap: broker.bootstrapServers, logger: logger, signing: signing)
        let raw = try await rawPipe(
            count: count, bootstrap: broker.bootstrapServers, consumerSettings: consumer, logger: logger)
        let relay = try await relay(
            count: count, policy: policy, bootstrap: broker.bootstrapServers, consumerSettings: consumer,
            logger: logger, signing: signing,
            intakeBatch: intakeBatch)
        print(
            "backlog of \(count) requests (~\(size) bytes each), \(partitions) partitions, \(policy.routing.banks.count) banks, embedded broker, ledger synchronous=FULL"
                + (intakeBatch.map { ", intake batch \($0)" } ?? ""))
        print("| system | records/s | CPU µs per record | share of the raw pipe |")
        print("|---|---|---|---|")
        for (name, result) in [
            ("raw consume→produce pipe (Swift, librdkafka)", raw),
            (
                signed
                    ? "freeze-relay (RelayDaemon, signed orders under require, relay signing)"
                    : "freeze-relay (RelayDaemon, default settings)", relay
            ),
        ] {
            print(
                String(
                    format: "| %@ | %.0f | %.0f | %.1f %% |", name, result.rate, result.cpuMicrosecondsPerRecord,
                    result.rate / raw.rate * 100))
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
