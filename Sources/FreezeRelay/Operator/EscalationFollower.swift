import ConfigurationFile
import Contracts
import Foundation
import Logging
import RelayKafka

/// Reads the escalations topic into an `EscalationBoard` for `freeze-relay watch`.
///
/// Each run joins a consumer group of its own (`freeze-relay-watch-<random>`) and commits
/// nothing: a watcher must neither take partitions from another watcher nor leave offsets
/// behind that change where the next one starts.
final class EscalationFollower {
    let topic: String
    let fromBeginning: Bool
    private let consumer: KafkaConsumer
    private(set) var board = EscalationBoard()
    /// Records on the topic that are not escalation events the contracts accept.
    private(set) var skipped = 0

    init(kafka: KafkaConfiguration, topic: String, fromBeginning: Bool, logger: Logger) throws(KafkaError) {
        var properties = kafka.properties
        properties["auto.offset.reset"] = fromBeginning ? "earliest" : "latest"
        properties["enable.auto.commit"] = "false"
        self.topic = topic
        self.fromBeginning = fromBeginning
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(properties),
            groupID: "freeze-relay-watch-\(UUID().uuidString.prefix(8).lowercased())", logger: logger)
        try consumer.subscribe([topic])
    }

    /// Waits up to `timeout` for records and applies them. Returns whether the board changed
    /// and whether the poll brought no record at all.
    func poll(timeout: Duration) async throws(KafkaError) -> (changed: Bool, empty: Bool) {
        let batch = try await consumer.nextBatch(maxMessages: 500, timeout: timeout)
        let before = board.rows
        for message in batch {
            guard let event = try? EventDecoder.decodeEvent(message.value ?? []) else {
                skipped += 1
                continue
            }
            board.apply(event)
        }
        return (board.rows != before, batch.isEmpty)
    }

    /// Whether everything that was on the topic has been read: every partition is assigned
    /// and its position has reached the high watermark. A partition with no position yet
    /// counts as read when it is empty, when the watch starts at the end (`latest`), or when
    /// the last poll brought nothing although its high watermark is known (its records were
    /// removed by retention). The caller asks twice in a row, so a fetch that lands between
    /// a poll and this check is not mistaken for the end.
    func caughtUp(lastPollEmpty: Bool) throws(KafkaError) -> Bool {
        let lags = try consumer.lag()
        guard !lags.isEmpty else { return false }
        for lag in lags {
            guard let high = lag.highWatermark else { return false }
            if let position = lag.position {
                if position < high { return false }
            } else if high > 0 && fromBeginning && !lastPollEmpty {
                return false
            }
        }
        return true
    }

    /// Polls until caught up (see `caughtUp`), or fails after `timeout`.
    func catchUp(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var confirmations = 0
        while confirmations < 2 {
            guard ContinuousClock.now < deadline else {
                let assigned = (try? consumer.assignment()) ?? []
                let why =
                    assigned.isEmpty
                    ? "no partition of it was assigned (does the topic exist? is the broker reachable?)"
                    : "still reading \(assigned.count) partition(s)"
                throw CLIFailure("could not read \(topic) to its end within \(DurationText.format(timeout)): \(why)")
            }
            let (_, empty) = try await poll(timeout: .milliseconds(300))
            confirmations = try caughtUp(lastPollEmpty: empty) ? confirmations + 1 : 0
        }
    }

    /// Leaves the consumer group.
    func close() {
        try? consumer.close()
    }
}
