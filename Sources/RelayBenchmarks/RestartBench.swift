import Contracts
import EmbeddedKafka
import Foundation
import Ledger
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// Starting on a large ledger: a ledger of `size` routed requests, the real daemon started on it
/// (default settings, embedded broker), one fresh request waiting on the requests topic. Measures
/// opening (`RelayDaemon.init`), the first metrics rendering, and start → the fresh request read
/// from its bank's topic; then the same after a graceful stop and restart.
enum RestartBench {
    struct Start {
        var openSeconds: Double
        var firstScrapeSeconds: Double
        var toRoutedSeconds: Double?
    }

    struct Result {
        var size: Int
        var fillSeconds: Double
        var ledgerBytes: Int
        var first: Start
        var restart: Start
    }

    static func run(size: Int, policy: RelayPolicy, logger: Logger) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ledgerPath = directory.appendingPathComponent("ledger.sqlite").path
        let filling = ContinuousClock.now
        let ledger = try Ledger.open(at: ledgerPath)
        try TimerBench.fill(ledger, requests: size, engine: RelayEngine(policy: policy))
        ledger.close()
        let fillSeconds = Bench.seconds(ContinuousClock.now - filling)
        let ledgerBytes = (try? FileManager.default.attributesOfItem(atPath: ledgerPath)[.size] as? Int) ?? 0

        let broker = try EmbeddedBroker(
            brokers: 1, topics: ThroughputBench.topics(policy: policy, partitions: 8), logger: logger)
        defer { broker.close() }
        let watcher = try await Bench.watcher(
            policy.routing.banks.keys.map { policy.topics.bankRequests($0) }, group: "bench-restart-watch",
            bootstrap: broker.bootstrapServers, logger: logger)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]),
            logger: logger)
        defer { producer.close(timeout: .seconds(5)) }
        let settings = RelaySettings(
            kafka: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers]), policy: policy,
            ledgerPath: ledgerPath)

        func start(fresh index: Int) async throws -> Start {
            let request = Bench.request(index: index, at: Timestamp(Date()))
            _ = try await producer.send(
                OutgoingMessage(
                    topic: policy.topics.requests, key: Array(CanonicalUUID.string(request.requestID).utf8),
                    value: try EventEncoder.encode(request)))
            let began = ContinuousClock.now
            let daemon = try RelayDaemon(settings: settings, logger: logger)
            let opened = ContinuousClock.now
            let relay = Task { try await daemon.run() }
            _ = daemon.metricsText()
            let scraped = ContinuousClock.now
            var routedAfter: Double?
            let giveUp = ContinuousClock.now + .seconds(120)
            while routedAfter == nil, ContinuousClock.now < giveUp {
                for message in try await watcher.nextBatch(maxMessages: 100, timeout: .milliseconds(50)) {
                    if case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []),
                        routed.requestID == request.requestID
                    {
                        routedAfter = Bench.seconds(ContinuousClock.now - began)
                    }
                }
            }
            daemon.stop()
            _ = try? await relay.value
            return Start(
                openSeconds: Bench.seconds(opened - began), firstScrapeSeconds: Bench.seconds(scraped - opened),
                toRoutedSeconds: routedAfter)
        }
        let first = try await start(fresh: size + 1)
        let restart = try await start(fresh: size + 2)
        try? watcher.close()
        return Result(size: size, fillSeconds: fillSeconds, ledgerBytes: ledgerBytes, first: first, restart: restart)
    }
}
