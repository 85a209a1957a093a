import Contracts
import Foundation
import RelayKafka
import Synchronization

/// One record the relay published, as read back from the broker.
struct PublishedRecord: Sendable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: [UInt8]?
    var value: [UInt8]
    /// Nil when the value is no valid event (itself a finding).
    var event: Event?
    /// When the recorder first read it.
    var readAt: ContinuousClock.Instant
}

/// Reads everything the relay publishes (bank request topics, status, escalations, dead letters),
/// keeping the raw bytes so that re-emissions can be compared byte for byte.
final class TopicRecorder: Sendable {
    private let consumer: KafkaConsumer
    private let records = Mutex<[PublishedRecord]>([])
    private let failures = Mutex<[String]>([])

    init(bootstrap: String) throws {
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(harnessClientProperties(bootstrap)),
            groupID: "crash-harness-recorder", logger: quietLogger)
        try consumer.subscribe(["^freeze\\.(status|escalations|deadletter)$", "^freeze\\.bank\\..*\\.requests$"])
    }

    var all: [PublishedRecord] { records.withLock { $0 } }
    var errors: [String] { failures.withLock { $0 } }

    /// Reads until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                let batch = try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(100))
                let now = ContinuousClock.now
                let read = batch.map { message in
                    PublishedRecord(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value ?? [], event: try? EventDecoder.decodeEvent(message.value ?? []),
                        readAt: now)
                }
                records.withLock { $0 += read }
            } catch {
                failures.withLock { $0.append("recorder: \(error)") }
            }
        }
    }

    /// Waits until `condition` holds for what was read, or throws after `timeout`.
    func waitFor(_ what: String, timeout: Duration, _ condition: ([PublishedRecord]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(all) {
            guard ContinuousClock.now < deadline else { throw CommandTimeout(what: what) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func close() { try? consumer.close() }
}
