import Contracts
import EmbeddedKafka
import Foundation
import Logging
import Relay
import RelayKafka
import RelayRuntime

/// How fast the relay closes a chain: police request at hop 0, each bank answering at once that
/// the money moved on to the next hop, the last bank freezing it. Measures, per chain, the time
/// from publishing the police request to seeing the `frozen` status of the last hop.
enum ChainBench {
    static func run(hops: Int, chains: Int, policy: RelayPolicy, logger: Logger) async throws -> [Double] {
        var policy = policy
        policy.chain = ChainLimits(maxHops: max(hops, 1), maxChildrenPerAnswer: 10)
        let banks = policy.routing.banks.keys.sorted()
        let broker = try EmbeddedBroker(
            brokers: 1,
            topics: [
                .init(name: "freeze.requests", partitions: 4), .init(name: "freeze.status", partitions: 4),
                .init(name: "freeze.escalations", partitions: 1), .init(name: "freeze.deadletter", partitions: 1),
            ]
                + banks.flatMap {
                    [
                        EmbeddedBroker.TopicSpec(name: policy.topics.bankRequests($0), partitions: 2),
                        EmbeddedBroker.TopicSpec(name: policy.topics.bankResponses($0), partitions: 2),
                    ]
                }, logger: logger)
        defer { broker.close() }
        let base = [
            "bootstrap.servers": broker.bootstrapServers, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
            "fetch.wait.max.ms": "10",
        ]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-chain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try RelayDaemon(
            settings: RelaySettings(
                kafka: KafkaConfiguration(base), policy: policy,
                ledgerPath: directory.appendingPathComponent("ledger.sqlite").path), logger: logger)
        let relay = Task { try await daemon.run() }

        // The accounts of chain c, hop h: at bank h mod banks, unique per chain.
        func account(_ chain: Int, _ hop: Int) -> IBAN {
            let code = Bench.codes[hop % Bench.codes.count]
            return try! IBAN(countryCode: "KZ", bban: code + String(format: "%013d", chain * 100 + hop))
        }
        var next: [IBAN: IBAN] = [:]
        for chain in 0..<chains { for hop in 0..<hops { next[account(chain, hop)] = account(chain, hop + 1) } }
        let trail = next

        // Every bank at once: a consumer on all bank request topics answering immediately.
        let banksConsumer = try KafkaConsumer(
            configuration: KafkaConfiguration(base), groupID: "bench-banks", logger: logger)
        try banksConsumer.subscribe(["^freeze\\.bank\\..*\\.requests$"])
        let banksProducer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]),
            logger: logger)
        let bankTask = Task {
            while !Task.isCancelled {
                guard let batch = try? await banksConsumer.nextBatch(maxMessages: 100, timeout: .milliseconds(100))
                else { continue }
                for message in batch {
                    guard case .routedRequest(let request)? = try? EventDecoder.decodeEvent(message.value ?? []) else {
                        continue
                    }
                    let now = Timestamp(Date())
                    let response: BankResponse
                    if let onward = trail[request.account.iban] {
                        response = BankResponse(
                            id: UUID(), createdAt: now, responseID: "moved-\(request.requestID)",
                            requestID: request.requestID,
                            status: .fundsMoved, respondedAt: now,
                            onwardTransfers: [
                                OnwardTransfer(
                                    destination: .iban(IBANDestination(iban: onward)), amount: request.amount,
                                    occurredAt: now, reference: "HOP-\(request.chain?.hop ?? 0)")
                            ])
                    } else {
                        response = BankResponse(
                            id: UUID(), createdAt: now, responseID: "frozen-\(request.requestID)",
                            requestID: request.requestID,
                            status: .frozen, frozenAmount: request.amount, respondedAt: now)
                    }
                    _ = try? banksProducer.enqueue(
                        OutgoingMessage(
                            topic: policy.topics.bankResponses(request.bankID),
                            key: Array(CanonicalUUID.string(request.requestID).utf8),
                            value: try EventEncoder.encode(response))
                    ) { _ in }
                }
            }
        }
        let police = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]),
            logger: logger)
        let statuses = try KafkaConsumer(
            configuration: KafkaConfiguration(base), groupID: "bench-police", logger: logger)
        try statuses.subscribe(["freeze.status"])
        let warmup = Date().addingTimeInterval(10)
        while (try? statuses.assignment())?.isEmpty ?? true, Date() < warmup {
            _ = try await statuses.nextBatch(maxMessages: 100, timeout: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(3))  // let the relay's and the banks' groups settle; not measured

        var durations: [Double] = []
        for chain in 0..<chains {
            let request = Bench.request(index: 1_000_000 + chain, at: Timestamp(Date()))
            var first = request
            first.account = TargetAccount(iban: account(chain, 0))
            let began = ContinuousClock.now
            _ = try await police.send(
                OutgoingMessage(
                    topic: "freeze.requests", key: Array(CanonicalUUID.string(first.requestID).utf8),
                    value: try EventEncoder.encode(first)))
            var closed = false
            while !closed, ContinuousClock.now - began < .seconds(60) {
                for message in try await statuses.nextBatch(maxMessages: 100, timeout: .milliseconds(50)) {
                    guard case .requestStatus(let status)? = try? EventDecoder.decodeEvent(message.value ?? []),
                        status.status == .frozen, status.chain?.hop == hops, status.caseID == first.caseID
                    else { continue }
                    closed = true
                }
            }
            if closed { durations.append(Bench.seconds(ContinuousClock.now - began)) }
        }
        bankTask.cancel()
        await bankTask.value
        try? banksConsumer.close()
        try? statuses.close()
        banksProducer.close(timeout: .seconds(1))
        police.close(timeout: .seconds(1))
        daemon.stop()
        _ = try? await relay.value
        return durations.sorted()
    }
}
