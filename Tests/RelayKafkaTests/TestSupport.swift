import Foundation
import Logging
import RelayKafka
import Testing

/// Quiet logger for tests: librdkafka's warnings about brokers we take down on purpose are noise.
let testLogger: Logger = {
    var logger = Logger(label: "kafka-tests")
    logger.logLevel = .critical
    return logger
}()

/// Consumer settings that make the mock cluster's group protocol fast enough for tests:
/// the mock waits a session timeout for members that left before it rebalances.
func fastGroupConfiguration(_ bootstrap: String, extra: [String: String] = [:]) -> KafkaConfiguration {
    var properties = [
        "bootstrap.servers": bootstrap,
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "topic.metadata.refresh.interval.ms": "1000",
        "reconnect.backoff.max.ms": "500",
    ]
    properties.merge(extra) { _, new in new }
    return KafkaConfiguration(properties)
}

func producerConfiguration(_ bootstrap: String) -> KafkaConfiguration {
    KafkaConfiguration(["bootstrap.servers": bootstrap, "reconnect.backoff.max.ms": "500", "retry.backoff.ms": "50"])
}

/// A fresh name so tests sharing nothing can run in parallel.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `consumer` until `done` says the collected records are enough. Each poll blocks for at
/// most 200 ms waiting for data, so this is driven by the broker, not by sleeping.
func collect(
    from consumer: KafkaConsumer, timeout: Duration = .seconds(60),
    until done: ([KafkaMessage]) -> Bool
) async throws -> [KafkaMessage] {
    var collected: [KafkaMessage] = []
    let deadline = ContinuousClock.now + timeout
    while !done(collected) {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: "records (have \(collected.count))") }
        collected += try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200))
    }
    return collected
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
