import EmbeddedKafka
import Foundation
import RelayKafka
import Testing

/// What the consumer does when the position it is asked to start from does not exist: with
/// `auto.offset.reset=error` it must say so, per partition, instead of silently jumping.
@Suite("Positions the broker cannot serve")
struct PositionErrorTests {
    /// A topic with `count` records on its single partition.
    func topicWithRecords(_ count: Int) async throws -> (MockCluster, TopicPartition) {
        let cluster = try MockCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("positions")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }
        for index in 0..<count {
            _ = try await producer.send(OutgoingMessage(topic: topic, key: nil, value: bytes("\(index)")))
        }
        return (cluster, TopicPartition(topic: topic, partition: 0))
    }

    /// Polls until a partition error arrives (records are collected on the way).
    func firstPartitionError(_ consumer: KafkaConsumer) async throws -> (PartitionError, [KafkaMessage]) {
        var records: [KafkaMessage] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let batch = try await consumer.nextConsumedBatch(maxMessages: 100, timeout: .milliseconds(200))
            records += batch.messages
            if let problem = batch.partitionErrors.first { return (problem, records) }
        }
        throw TimedOut(what: "a partition error (got \(records.count) records)")
    }

    @Test("a start position beyond the end of the log is reported as out of range, not reset to the beginning")
    func outOfRangeIsReported() async throws {
        let (cluster, tp) = try await topicWithRecords(5)
        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers, extra: ["auto.offset.reset": "error"]),
            groupID: uniqueName("g"), logger: testLogger, startOffsets: { _, _ in [tp: 10] })
        defer { try? consumer.close() }
        try consumer.subscribe([tp.topic])
        let (problem, records) = try await firstPartitionError(consumer)
        #expect(records.isEmpty)
        #expect(problem.kind == .offsetOutOfRange)
        #expect(problem.topicPartition == tp)
        #expect(problem.offset == 10)
        let marks = try consumer.watermarks(of: tp, timeout: .seconds(5))
        #expect(marks.low == 0 && marks.high == 5)

        // The application decides where to go instead: moving it makes the partition flow again.
        try await consumer.onQueue { () throws(KafkaError) in try consumer.reposition([tp: 2]) }
        let after = try await collect(from: consumer) { $0.count >= 3 }
        #expect(after.map(\.offset) == [2, 3, 4])
    }

    @Test("a partition with no committed offset and no start position is reported as such")
    func noStartOffsetIsReported() async throws {
        let (cluster, tp) = try await topicWithRecords(3)
        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers, extra: ["auto.offset.reset": "error"]),
            groupID: uniqueName("g"), logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe([tp.topic])
        let (problem, _) = try await firstPartitionError(consumer)
        #expect(problem.kind == .noStartOffset)
        #expect(problem.topicPartition == tp)
        try await consumer.onQueue { () throws(KafkaError) in try consumer.reposition([tp: KafkaConsumer.beginning]) }
        #expect(try await collect(from: consumer) { $0.count >= 3 }.map(\.offset) == [0, 1, 2])
    }
}

@Suite("Header names as received")
struct HeaderNameTests {
    @Test("a name that is not UTF-8 keeps its exact bytes beside its repaired text; a valid one keeps none")
    func rawNames() {
        let invalid = KafkaHeader(nameBytes: [0x66, 0xFF], value: nil)
        #expect(invalid.name == "f\u{FFFD}" && invalid.rawName == [0x66, 0xFF] && invalid.nameBytes == [0x66, 0xFF])
        let valid = KafkaHeader(nameBytes: Array("fr-event-id".utf8), value: [1])
        #expect(valid.name == "fr-event-id" && valid.rawName == nil && valid.nameBytes == Array("fr-event-id".utf8))
        #expect(valid == KafkaHeader(name: "fr-event-id", value: [1]))
    }
}
