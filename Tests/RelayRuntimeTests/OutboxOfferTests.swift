import Contracts
import Foundation
import Ledger
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// Events handed to the publisher from memory after their commit are a shortcut only: whatever
/// order they are offered in, and whatever another writer queued between them without offering
/// it, every event goes out once, in outbox order.
@Suite("Outbox: events offered from memory")
struct OutboxOfferTests {
    @Test("offered out of order, with a transaction in between never offered: all published once, in outbox order")
    func gapsAndOrder() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try FileManager.default.createDirectory(at: harness.directory, withIntermediateDirectories: true)
        let ledger = try Ledger.open(at: harness.ledgerPath)
        defer { ledger.close() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": harness.cluster.bootstrapServers]),
            logger: quietLogger)
        defer { producer.close(timeout: .seconds(2)) }
        let topic = harness.policy.topics.bankRequests(try BankID("alpha"))

        // Three transactions, A, B and C; one key, so the topic shows the publishing order.
        var requests: [FreezeRequest] = []
        func queue(_ count: Int) throws -> [PendingMessage] {
            let batch = (0..<count).map { _ in
                freezeRequest(caseID: "CASE-O", iban: kzIBAN(bank: alphaCode, account: 5))
            }
            requests += batch
            let messages = try batch.map { request in
                OutboxMessage(
                    eventID: request.id, eventType: "freeze_request", topic: topic, key: Array("same-key".utf8),
                    payload: try EventEncoder.encode(request), headers: [])
            }
            return try ledger.write { tx in
                try tx.apply(Effects(), outbox: messages, at: t0)
                return tx.queuedEvents
            }
        }
        let a = try queue(3)
        let b = try queue(2)
        let c = try queue(3)
        #expect(a.count == 3 && b.count == 2 && c.count == 3)

        let publisher = OutboxPublisher(
            ledger: ledger, producer: producer, clock: harness.clock, logger: quietLogger, batchSize: 2
        ) { _, _ in }
        // C before A, and B (another writer's) never offered.
        publisher.offer(c)
        publisher.offer(a)
        let running = Task { await publisher.run { error in Issue.record("publisher failed: \(error)") } }
        defer { running.cancel() }

        let ids = requests.map(\.id)
        // A long wait: in loaded parallel runs (CI) the watcher has been seen to take over a
        // minute to be assigned its partitions.
        let seen = try await harness.watcher.waitFor("every event published", timeout: .seconds(240)) { seen in
            Set(seen.map(\.event.id)).isSuperset(of: ids)
        }
        let published = seen.filter { $0.topic == topic }.map(\.event.id)
        #expect(
            published == ids, "published \(published.count) events; expected \(ids.count), once each, in outbox order")
        try await eventually("deliveries recorded") { try ledger.outboxBacklog().unsent == 0 }
        running.cancel()
        await running.value
    }
}
