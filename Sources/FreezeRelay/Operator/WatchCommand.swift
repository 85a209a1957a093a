import ArgumentParser
import ConfigurationFile
import Contracts
import Foundation
import Logging
import Relay
import RelayKafka
import RelayRuntime
import Synchronization

/// `freeze-relay watch`: a live table of the open escalations, from the escalations topic.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the escalations topic and keep a live table of the open escalations.",
        discussion: """
            Rows appear when an escalation is raised, climb levels when it is raised again and \
            disappear when it is resolved. Escalations raised before the watch started are shown \
            only with --from-beginning (which replays the topic as far back as the broker keeps it). \
            On a terminal the table is redrawn in place; otherwise a new block is printed on every \
            change. --once prints the table after reading the topic to its end and exits (for scripts). \
            Needs the Kafka settings of the configuration (or --bootstrap-servers); not the ledger.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(name: .customLong("from-beginning"), help: "Replay the topic from the oldest record the broker keeps.")
    var fromBeginning = false

    @Flag(help: "Print the table once the topic has been read to its end, then exit.")
    var once = false

    @Option(
        name: .customLong("catch-up-timeout"),
        help: "With --once: fail (exit 1) if the topic cannot be read to its end within this time.")
    var catchUpTimeout = "30s"

    func run() async throws {
        try await reportingFailures {
            if once {
                print(try await output())
            } else {
                try await follow()
            }
        }
    }

    /// `--once`: reads the topic to its end and returns the block to print.
    func output() async throws -> String {
        let timeout = try parsedTimeout()
        let follower = try makeFollower()
        defer { follower.close() }
        try await follower.catchUp(timeout: timeout)
        return Self.block(follower, now: .now())
    }

    /// Follows the topic until SIGINT or SIGTERM, redrawing on every change (and, on a
    /// terminal, every few seconds so the overdue times keep counting).
    func follow() async throws {
        let follower = try makeFollower()
        defer { follower.close() }
        let stop = Mutex(false)
        let signals = SignalWatcher()
        signals.on([SIGINT, SIGTERM]) { _ in stop.withLock { $0 = true } }
        let terminal = isatty(STDOUT_FILENO) == 1
        var lastDraw = ContinuousClock.now
        Self.draw(Self.block(follower, now: .now()), terminal: terminal)
        while !stop.withLock({ $0 }) {
            let (changed, _) = try await follower.poll(timeout: .milliseconds(500))
            if changed || (terminal && ContinuousClock.now - lastDraw >= .seconds(5)) {
                Self.draw(Self.block(follower, now: .now()), terminal: terminal)
                lastDraw = ContinuousClock.now
            }
        }
    }

    private func parsedTimeout() throws -> Duration {
        do { return try DurationText.parse(catchUpTimeout) } catch {
            throw OperatorArguments.usage("--catch-up-timeout \(catchUpTimeout): \(error.explanation)")
        }
    }

    private func makeFollower() throws -> EscalationFollower {
        let configuration = try options.load()
        guard configuration.kafka.bootstrapServers != nil else {
            throw OperatorArguments.usage(
                "no Kafka bootstrap servers: give --bootstrap-servers HOST:PORT or kafka.bootstrap_servers in --config")
        }
        let topic: String
        do { topic = try TopicNames(configuration: configuration).escalations } catch {
            throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
        }
        var logger = Logger(label: "freeze-relay.watch")
        // librdkafka's transient complaints would scribble over the table.
        logger.logLevel = .error
        do {
            return try EscalationFollower(
                kafka: KafkaConfiguration(configuration.kafka.clientProperties()), topic: topic,
                fromBeginning: fromBeginning, logger: logger)
        } catch {
            throw CLIFailure("cannot follow \(topic): \(error)", underlying: error)
        }
    }

    /// A heading and the table.
    static func block(_ follower: EscalationFollower, now: Timestamp) -> String {
        let count = follower.board.rows.count
        var heading = "open escalations on \(follower.topic): \(count) at \(ReportText.time(now))"
        if follower.skipped > 0 { heading += " (\(follower.skipped) record(s) that are not escalation events skipped)" }
        return heading + "\n" + follower.board.table(now: now)
    }

    /// On a terminal, clears the screen and draws in place; otherwise appends a block, so a
    /// log of the output shows every change. Written unbuffered: a pipe must see it at once.
    static func draw(_ block: String, terminal: Bool) {
        let text = terminal ? "\u{1B}[H\u{1B}[2J" + block + "\n" : block + "\n\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
