import EmbeddedKafka
import Foundation
import RelayKafka
import Synchronization
import Testing

@Suite("Producer and consumer against the mock cluster")
struct ProduceConsumeTests {
    @Test("records round-trip with keys, headers and null values")
    func roundTrip() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("orders", partitions: 3)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }

        var sent: [DeliveryReport] = []
        for index in 0..<30 {
            let message = OutgoingMessage(
                topic: "orders", key: bytes("key-\(index % 5)"), value: bytes("value-\(index)"),
                headers: [
                    KafkaHeader(name: "fr-event-id", string: "event-\(index)"), KafkaHeader(name: "empty", value: nil),
                ]
            )
            sent.append(try await producer.send(message))
        }
        // A record with a null value (a tombstone) and no key.
        sent.append(try await producer.send(OutgoingMessage(topic: "orders", partition: 0, key: nil, value: nil)))

        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: uniqueName("g"),
            logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe(["orders"])
        let received = try await collect(from: consumer) { $0.count >= 31 }

        #expect(received.count == 31)
        let byValue = Dictionary(uniqueKeysWithValues: received.compactMap { m in text(m.value).map { ($0, m) } })
        for index in 0..<30 {
            let message = try #require(byValue["value-\(index)"])
            #expect(text(message.key) == "key-\(index % 5)")
            #expect(message.header("fr-event-id")?.stringValue == "event-\(index)")
            #expect(message.header("empty") == KafkaHeader(name: "empty", value: nil))
            #expect(message.timestampMilliseconds != nil)
            // The broker stored it where the delivery report said.
            #expect(sent[index].partition == message.partition && sent[index].offset == message.offset)
        }
        // Same key, same partition.
        let partitionsPerKey = Dictionary(grouping: received.filter { $0.key != nil }, by: { text($0.key)! }).mapValues
        { Set($0.map(\.partition)) }
        #expect(partitionsPerKey.values.allSatisfy { $0.count == 1 })
        #expect(received.contains { $0.key == nil && $0.value == nil && $0.partition == 0 })
    }

    @Test("a record that cannot be delivered resolves with a typed error, not a hang")
    func deliveryFailureIsTyped() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("t", partitions: 1)
        var configuration = producerConfiguration(cluster.bootstrapServers)
        configuration["message.timeout.ms"] = "300"
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        defer { producer.close(timeout: .seconds(1)) }
        // One delivery first, so the producer knows the partition's leader. Under load on a busy
        // machine a round trip can outlast the 300 ms this test gives a message: try again then.
        var delivered = false
        for _ in 0..<50 where !delivered {
            delivered = (try? await producer.send(OutgoingMessage(topic: "t", key: nil, value: bytes("first")))) != nil
        }
        #expect(delivered)
        try cluster.setBrokerDown(1)
        await #expect {
            _ = try await producer.send(OutgoingMessage(topic: "t", key: nil, value: bytes("lost")))
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .messageTimedOut && error.isRetriable && !error.isFatal
        }
    }

    @Test("closing a producer resolves every pending send")
    func closeResolvesPendingSends() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic("t", partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        try cluster.setBrokerDown(1)
        let outcomes = LockedResults()
        for index in 0..<10 {
            try producer.enqueue(OutgoingMessage(topic: "t", key: nil, value: bytes("\(index)"))) {
                outcomes.append($0)
            }
        }
        let undelivered = producer.close(timeout: .milliseconds(200))
        #expect(undelivered == 10)
        #expect(outcomes.count == 10)
        #expect(outcomes.failures.allSatisfy { $0.code == .purgedQueue || $0.code == .purgedInFlight })
        #expect(throws: KafkaError.self) {
            try producer.enqueue(OutgoingMessage(topic: "t", key: nil, value: nil)) { _ in }
        }
    }

    @Test("an unknown or invalid librdkafka property is a precise error that never echoes a secret")
    func configurationErrors() throws {
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(["no.such.property": "1"]), logger: testLogger)
        } throws: { error in
            (error as? KafkaError)?.message.contains("no.such.property") == true
        }
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(["acks": "sometimes"]), logger: testLogger)
        } throws: { error in
            (error as? KafkaError)?.message.contains("acks") == true
        }
        #expect {
            _ = try KafkaProducer(
                configuration: KafkaConfiguration([
                    "security.protocol": "hunter2-not-a-protocol", "sasl.password": "hunter2",
                ]), logger: testLogger)
        } throws: { error in
            "\(error)".contains("security.protocol")
        }
        let redacted = KafkaConfiguration([
            "sasl.password": "hunter2", "ssl.key.password": "x", "bootstrap.servers": "b:9092",
        ]).redacted
        #expect(redacted["sasl.password"] == "[redacted]" && redacted["ssl.key.password"] == "[redacted]")
        #expect(redacted["bootstrap.servers"] == "b:9092")
    }
}

/// Delivery outcomes collected from librdkafka's callback thread.
final class LockedResults: Sendable {
    private let results = Mutex<[Result<DeliveryReport, KafkaError>]>([])
    func append(_ result: Result<DeliveryReport, KafkaError>) { results.withLock { $0.append(result) } }
    var count: Int { results.withLock { $0.count } }
    var failures: [KafkaError] {
        results.withLock { $0.compactMap { if case .failure(let e) = $0 { e } else { nil } } }
    }
}
