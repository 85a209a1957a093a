import EmbeddedKafka
import Foundation
import RelayKafka
import Testing

@Suite("Idempotent producer under broker faults")
struct IdempotentProducerTests {
    @Test("every record arrives once and in order per key while brokers fail and requests error")
    func exactlyOnceInOrderUnderFaults() async throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger)
        try cluster.createTopic("payments", partitions: 6, replicationFactor: 3)
        // Each broker leads two partitions, so every outage below holds some records back.
        for partition in Int32(0)..<6 {
            try cluster.setPartitionLeader(topic: "payments", partition: partition, broker: partition % 3 + 1)
        }
        var configuration = producerConfiguration(cluster.bootstrapServers)
        configuration["message.timeout.ms"] = "120000"
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        defer { producer.close(timeout: .seconds(5)) }

        let keys = 20
        let chunks = 7
        let perChunk = 500
        var sequence = [Int](repeating: 0, count: keys)
        let outcomes = LockedResults()
        func enqueueChunk() throws {
            for _ in 0..<perChunk {
                let key = sequence.indices.min { sequence[$0] < sequence[$1] }!
                let value = "k\(key):\(sequence[key])"
                sequence[key] += 1
                try producer.enqueue(OutgoingMessage(topic: "payments", key: bytes("k\(key)"), value: bytes(value))) {
                    outcomes.append($0)
                }
            }
        }
        /// Takes a broker down while a chunk is in flight; records led by it stay undelivered
        /// (the flush times out) until it is back.
        func chunkThroughOutage(of broker: Int32) throws {
            try cluster.setBrokerDown(broker)
            try enqueueChunk()
            #expect(!producer.flush(timeout: .milliseconds(700)), "broker \(broker) being down held records back")
            try cluster.setBrokerUp(broker)
            #expect(producer.flush(timeout: .seconds(60)))
        }

        try enqueueChunk()
        #expect(producer.flush(timeout: .seconds(30)))
        cluster.pushRequestErrors(
            .produce,
            Array(repeating: [KafkaError.Code.notLeaderForPartition, .requestTimedOut], count: 10).flatMap { $0 })
        try enqueueChunk()
        #expect(producer.flush(timeout: .seconds(60)))
        try chunkThroughOutage(of: 2)
        cluster.pushRequestErrors(
            .produce, [.requestTimedOut, .requestTimedOut, .notLeaderForPartition, .requestTimedOut])
        try chunkThroughOutage(of: 3)
        try chunkThroughOutage(of: 1)
        // Outage and injected errors at once, with the producer mid-stream.
        try enqueueChunk()
        try cluster.setBrokerDown(2)
        cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notLeaderForPartition])
        try enqueueChunk()
        try cluster.setBrokerUp(2)
        #expect(producer.flush(timeout: .seconds(120)), "all records delivered or failed within the timeout")
        let total = chunks * perChunk
        #expect(outcomes.count == total)
        #expect(outcomes.failures.isEmpty, "no delivery failed: \(outcomes.failures.prefix(3))")

        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(cluster.bootstrapServers), groupID: uniqueName("verify"),
            logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe(["payments"])
        let received = try await collect(from: consumer, timeout: .seconds(90)) { $0.count >= total }

        let values = received.compactMap { text($0.value) }
        #expect(values.count == total)
        #expect(Set(values).count == values.count, "no record was written twice")
        // Records of one key come back in the order they were produced (consumption within a
        // partition is in offset order).
        var next = [String: Int]()
        var outOfOrder: [String] = []
        for value in values {
            let parts = value.split(separator: ":")
            let key = String(parts[0])
            let seq = Int(parts[1])!
            if seq != next[key, default: 0] { outOfOrder.append(value) }
            next[key] = seq + 1
        }
        #expect(outOfOrder.isEmpty, "first out-of-order records: \(outOfOrder.prefix(5))")
        #expect(next.values.reduce(0, +) == total)
    }
}
