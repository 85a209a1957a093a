import ArgumentParser
import EmbeddedKafka
import Foundation
import Logging
import RelayKafka
import Synchronization

/// `freeze-relay broker`: librdkafka's mock cluster as a standalone broker for trials and tests.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an in-memory Kafka-protocol broker on 127.0.0.1 (for trials and tests, not production).",
        discussion: """
            Prints the bootstrap address on the first line of stdout, then serves until SIGINT or \
            SIGTERM. Data is kept in memory only (a few MiB per partition) and is lost on exit.
            """
    )

    @Option(help: "Number of mock brokers.")
    var brokers: Int = 1

    @Option(help: "Fixed bootstrap port on 127.0.0.1 (for example 9092), forwarded to the mock brokers.")
    var port: UInt16?

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("Topic to create, as NAME:PARTITIONS. Repeatable.", valueName: "name:partitions"))
    var topics: [String] = []

    @Option(help: "Log level for the broker's own messages (trace, debug, info, notice, warning, error, critical).")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard (1...32).contains(brokers) else {
            throw ValidationError("--brokers must be between 1 and 32, not \(brokers)")
        }
        for topic in topics where EmbeddedBroker.TopicSpec(parsing: topic) == nil {
            throw ValidationError(
                "--topic \(topic): expected NAME:PARTITIONS with PARTITIONS ≥ 1, for example freeze.requests:3")
        }
    }

    func run() async throws {
        let watcher = SignalWatcher()
        var logger = Logger(label: "freeze-relay.broker")
        logger.logLevel = logLevel
        let specs = topics.compactMap(EmbeddedBroker.TopicSpec.init(parsing:))
        let broker: EmbeddedBroker
        do {
            broker = try EmbeddedBroker(brokers: brokers, port: port, topics: specs, logger: logger)
        } catch {
            throw CLIFailure("cannot start the embedded broker: \(error)", underlying: error)
        }
        // The first stdout line is the bootstrap address, written unbuffered so scripts can read it at once.
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        printError(
            """
            freeze-relay broker: \(brokers) in-memory broker(s) at \(broker.bootstrapServers) (mock ports \(broker.cluster.bootstrapServers)); \
            topics: \(specs.isEmpty ? "none (auto-created on first use)" : specs.map(\.description).joined(separator: ", ")). \
            For trials and tests only: data lives in memory. Stop with Ctrl-C.
            """)
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let once = Mutex<CheckedContinuation<Int32, Never>?>(continuation)
            watcher.on([SIGINT, SIGTERM]) { number in
                once.withLock { c in
                    defer { c = nil }
                    return c
                }?.resume(returning: number)
            }
        }
        logger.notice("stopping on \(SignalWatcher.name(signal))")
        broker.close()
    }
}
