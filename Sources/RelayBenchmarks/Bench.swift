import Contracts
import EmbeddedKafka
import Foundation
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// Builders and the end-to-end pipeline measurement.
enum Bench {
    static let codes = ["125", "601", "722", "996"]

    static func policy() throws -> RelayPolicy {
        let banks = codes.enumerated().map { index, code in
            BankProfile(
                id: try! BankID("bank\(index)"), name: "Bank \(index)", ibanBankCodes: ["KZ\(code)"],
                escalationContact: Contact(email: "desk@bank\(index).example"))
        }
        return RelayPolicy(routing: try RoutingTable(banks: banks), topics: try TopicNames())
    }

    static func request(index: Int, at time: Timestamp) -> FreezeRequest {
        let code = codes[index % codes.count]
        let iban = try! IBAN(countryCode: "KZ", bban: code + String(format: "%013d", index))
        let id = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "bench-request-\(index)")
        return FreezeRequest(
            id: UUIDv5.make(namespace: id, name: "event"), createdAt: time, requestID: id, caseID: "BENCH-\(index / 3)",
            issuedAt: time,
            priority: index % 2 == 0 ? .urgent : .normal, issuer: Issuer(agency: "Bench Police", officerID: "B-1"),
            legalBasis: "Benchmark decision", account: TargetAccount(iban: iban),
            amount: try! Money(value: "150000.00", currency: "KZT"),
            fraudTransaction: FraudTransaction(occurredAt: time, reference: "TX-\(index)"))
    }

    static func frozen(_ request: UUID, at time: Timestamp) -> BankResponse {
        BankResponse(
            id: UUID(), createdAt: time, responseID: "r-\(request)", requestID: request, status: .frozen,
            frozenAmount: try! Money(value: "150000.00", currency: "KZT"), respondedAt: time)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }

    /// Hands a record to the producer; false when its queue is full (the caller lets it drain).
    static func enqueue(
        _ message: OutgoingMessage, on producer: KafkaProducer,
        onDelivery: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void = { _ in }
    ) throws -> Bool {
        do {
            try producer.enqueue(message, onDelivery: onDelivery)
            return true
        } catch {
            if error.code == .queueFull { return false }
            throw error
        }
    }

    /// A consumer of `topics` that reads with a short fetch wait (5 ms), so that what it measures is
    /// the relay rather than its own polling; returns once it holds partitions (or after 30 s).
    static func watcher(_ topics: [String], group: String, bootstrap: String, logger: Logger) async throws
        -> KafkaConsumer
    {
        let watcher = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": bootstrap, "fetch.wait.max.ms": "5", "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500",
            ]), groupID: group, logger: logger)
        try watcher.subscribe(topics)
        let joinedBy = ContinuousClock.now + .seconds(30)
        while (try? watcher.assignment())?.isEmpty ?? true, ContinuousClock.now < joinedBy {
            _ = try await watcher.nextBatch(maxMessages: 1, timeout: .milliseconds(100))
        }
        return watcher
    }

    struct PipelineResult {
        var throughput: Double
        var p50: Double
        var p99: Double
    }

    /// Publishes `count` requests as fast as the producer takes them and waits until every routed
    /// request appeared on the bank topics; latency is from publishing to seeing the routed event.
    static func pipeline(count: Int, policy: RelayPolicy, logger: Logger, pacing: Duration? = nil) async throws
        -> PipelineResult
    {
        let broker = try EmbeddedBroker(
            brokers: 1,
            topics: [
                .init(name: "freeze.requests", partitions: 8), .init(name: "freeze.status", partitions: 8),
                .init(name: "freeze.escalations", partitions: 2), .init(name: "freeze.deadletter", partitions: 2),
            ]
                + policy.routing.banks.keys.flatMap {
                    [
                        EmbeddedBroker.TopicSpec(name: policy.topics.bankRequests($0), partitions: 8),
                        EmbeddedBroker.TopicSpec(name: policy.topics.bankResponses($0), partitions: 2),
                    ]
                },
            logger: logger)
        defer { broker.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-pipe-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = [
            "bootstrap.servers": broker.bootstrapServers, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
            "fetch.wait.max.ms": "10",
        ]
        let settings = RelaySettings(
            kafka: KafkaConfiguration(base), policy: policy,
            ledgerPath: directory.appendingPathComponent("ledger.sqlite").path, intakeBatchSize: 1000,
            publishBatchSize: 2000)
        let observer = RelayObserver()
        let assigned = Mutex(false)
        observer.add(rebalanced: { event in
            if case .assigned(let partitions) = event, !partitions.isEmpty { assigned.withLock { $0 = true } }
        })
        let daemon = try RelayDaemon(settings: settings, logger: logger, observer: observer)
        let relay = Task { try await daemon.run() }

        let watcher = try KafkaConsumer(configuration: KafkaConfiguration(base), groupID: "bench-watch", logger: logger)
        try watcher.subscribe(["^freeze\\.bank\\..*\\.requests$"])
        // Let the watcher join before timing starts (the mock's first join takes a few seconds).
        let warmup = Date().addingTimeInterval(10)
        while ((try? watcher.assignment())?.isEmpty ?? true) || !assigned.withLock({ $0 }), Date() < warmup {
            _ = try await watcher.nextBatch(maxMessages: 1, timeout: .milliseconds(200))
        }

        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "5"]),
            logger: logger)
        let now = Timestamp(Date())
        let sentAt = Mutex<[UUID: ContinuousClock.Instant]>([:])
        let began = ContinuousClock.now
        var latencies: [Double] = []
        for index in 0..<count {
            let request = request(index: index, at: now)
            let bytes = try EventEncoder.encode(request)
            let message = OutgoingMessage(
                topic: "freeze.requests", key: Array(CanonicalUUID.string(request.requestID).utf8), value: bytes)
            while !(try enqueue(message, on: producer)) {
                producer.flush(timeout: .milliseconds(50))
            }
            sentAt.withLock { $0[request.requestID] = ContinuousClock.now }
            if let pacing {
                // Paced: measure the relay's own latency, not the queue in front of it.
                producer.flush(timeout: .seconds(1))
                for message in try await watcher.nextBatch(maxMessages: 100, timeout: pacing) {
                    guard case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []),
                        let sent = sentAt.withLock({ $0.removeValue(forKey: routed.requestID) })
                    else { continue }
                    latencies.append(seconds(ContinuousClock.now - sent))
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(600)
        while latencies.count < count, ContinuousClock.now < deadline {
            for message in try await watcher.nextBatch(maxMessages: 5000, timeout: .milliseconds(200)) {
                guard case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []),
                    let sent = sentAt.withLock({ $0.removeValue(forKey: routed.requestID) })
                else { continue }
                latencies.append(seconds(ContinuousClock.now - sent))
            }
        }
        let elapsed = seconds(ContinuousClock.now - began)
        producer.close(timeout: .seconds(2))
        try? watcher.close()
        daemon.stop()
        _ = try? await relay.value
        if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil {
            print("in order:", latencies.map { Int($0 * 1000) })
        }
        if pacing != nil {
            // The first seconds after start-up include the consumers' group joins and first
            // metadata fetches; the paced figure is about the steady state.
            latencies.removeFirst(min(latencies.count / 2, 60))
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        return PipelineResult(throughput: Double(count) / elapsed, p50: percentile(0.5), p99: percentile(0.99))
    }
}
