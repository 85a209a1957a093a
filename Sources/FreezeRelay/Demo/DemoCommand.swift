import ArgumentParser
import Authenticity
import ConfigurationFile
import Contracts
import EmbeddedKafka
import Foundation
import Ledger
import Logging
import Relay
import RelayConsole
import RelayDemo
import RelayKafka
import RelayRuntime
import Synchronization

/// `freeze-relay demo`: the whole system on one machine, no Kafka install needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the relay against an embedded broker with simulated police and banks.",
        discussion: """
            Starts the embedded broker, the relay with an illustrative routing table, a police \
            simulator that signs its orders with a key made for the run (good requests, an \
            unroutable one, some broken records, and two forged orders the relay refuses) and five bank \
            simulators: prompt, slow, silent and one that reports the money moved on, so that a \
            multi-hop chain is followed. Deadlines are scaled to seconds, so escalations and their \
            resolutions show within a minute. Stop with Ctrl-C, or give --duration.
            """
    )

    @Option(help: "Stop by itself after this long (e.g. 60s, 2m) and print a final summary.")
    var duration: String?

    @Option(help: "Bootstrap port of the embedded broker (0 picks a free one).")
    var port: UInt16 = 9092

    @Option(help: "Ledger file (default: a temporary file, removed afterwards).")
    var database: String?

    @Option(help: "Multiply every demo deadline and bank delay by this factor (2 = twice as slow).")
    var timeScale: Double = 1

    @Option(
        help:
            "Port of the web console on 127.0.0.1 (0 picks a free one); its URL, with a token made for the run, is printed."
    )
    var consolePort: Int = 0

    @Option(help: "Log level of the relay's own log lines on stderr.")
    var logLevel: Logger.Level = .error

    func run() async throws {
        try await reportingFailures { try await runDemo() }
    }

    private func runDemo() async throws {
        let limit: Duration? = try duration.map { text in
            do { return try DurationText.parse(text) } catch {
                throw CLIFailure("--duration \(text): \(error)", exitCode: ExitCodes.configuration, underlying: error)
            }
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: .logfmt, level: level) }
        let logger = Logger(label: "freeze-relay.demo")

        let policeKey = SigningKey.generate()
        let policy = try DemoScenario.policy(timeScale: timeScale, policeKey: policeKey.publicKey)
        let broker = try startBroker(policy: policy, logger: logger)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
            "freeze-relay-demo-\(UUID().uuidString.prefix(8))")
        let ledgerPath = database ?? temporary.appendingPathComponent("ledger.sqlite").path
        defer { if database == nil { try? FileManager.default.removeItem(at: temporary) } }

        printIntroduction(bootstrap: broker.bootstrapServers, ledger: ledgerPath, policy: policy)
        let started = ContinuousClock.now
        let tally = try await runRelayAndSimulators(
            broker: broker, policy: policy, policeKey: policeKey, ledgerPath: ledgerPath, limit: limit, logger: logger)
        print("\nFinal summary")
        print(tally.render(elapsed: ContinuousClock.now - started))
        if let tree = try? CaseTreeText.render(caseID: "DEMO-CHAIN", ledgerPath: ledgerPath) {
            print("\nThe multi-hop case DEMO-CHAIN, as `freeze-relay case DEMO-CHAIN` shows it:\n\(tree)")
        }
        broker.close()
    }

    /// Runs the relay and the simulators until the time limit or a signal. Everything holding a
    /// Kafka client lives in here, so it is all destroyed before the caller stops the broker (at
    /// exit, clients still alive would log failed reconnects to a broker that is gone).
    private func runRelayAndSimulators(
        broker: EmbeddedBroker, policy: RelayPolicy, policeKey: SigningKey, ledgerPath: String, limit: Duration?,
        logger: Logger
    ) async throws -> DemoTally {
        // The relay signs what it routes with a key made for this run; the simulated banks verify it.
        let signer = try RelaySigner(keyID: "demo-relay-1", key: SigningKey.generate())
        let settings = RelaySettings(
            kafka: KafkaConfiguration([
                "bootstrap.servers": broker.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500", "topic.metadata.refresh.interval.ms": "2000",
            ]),
            policy: policy, ledgerPath: ledgerPath, intakeBatchSize: 200, signer: signer)
        let tally = DemoTally()
        let observer = RelayObserver()
        observer.add(published: { _, sent in tally.record(sent) })
        let daemon: RelayDaemon
        do { daemon = try RelayDaemon(settings: settings, logger: logger, observer: observer) } catch {
            throw CLIFailure("cannot start the relay: \(error)", underlying: error)
        }
        // The console, on loopback, behind a token made for this run: the printed URL carries it once.
        let console: ConsoleLaunch
        do {
            let token = ConsoleToken.random()
            console = try ConsoleLaunch(
                host: "127.0.0.1", port: consolePort, token: token, ledgerPath: ledgerPath, logger: logger
            ) { address in
                print("web console: http://\(address)/?token=\(token.revealed)")
                print("  (the bare URL http://\(address)/ answers 401 without the token)\n")
                // Whoever reads the output through a pipe (a script opening the console) needs it now.
                fflush(nil)
            }
        } catch {
            throw CLIFailure("cannot start the web console: \(error)", underlying: error)
        }
        defer { console.reader.close() }
        let relay = Task { try await daemon.run(alongside: [console.service]) }

        let simulators = try DemoScenario.banks.map { bank in
            try BankSimulator(
                bank: try BankID(bank.id), behaviour: bank.behaviour, trail: DemoScenario.trail,
                bootstrap: broker.bootstrapServers, topics: policy.topics, timeScale: timeScale,
                relayKey: signer.publicKey, logger: logger)
        }
        let bankTasks = simulators.map { simulator in Task { await simulator.run() } }
        let police = try PoliceSimulator(
            bootstrap: broker.bootstrapServers, topics: policy.topics, key: policeKey, keyID: DemoScenario.policeKeyID,
            logger: logger)
        let policeTask = Task { await police.run(simulators: simulators, timeScale: timeScale) }

        let started = ContinuousClock.now
        let stopSignal = SignalWatcher()
        let stopRequested = StopFlag()
        stopSignal.on([SIGINT, SIGTERM]) { _ in stopRequested.set() }
        while !stopRequested.isSet {
            try? await Task.sleep(for: .seconds(5))
            let elapsed = ContinuousClock.now - started
            print(tally.render(elapsed: elapsed) + "\n")
            if let limit, elapsed >= limit { break }
            if let failure = daemon.failure {
                printError("the relay stopped: \(failure)")
                break
            }
        }

        let unverified = simulators.reduce(0) { total, bank in total + bank.unverified.withLock { $0 } }
        print("routed requests the banks could not verify as signed by the relay: \(unverified)")
        print("stopping: simulators, then the relay (drains its outbox, commits offsets)…")
        policeTask.cancel()
        for task in bankTasks { task.cancel() }
        for task in bankTasks { await task.value }
        await policeTask.value
        for simulator in simulators { simulator.stop() }
        police.stop()
        daemon.stop()
        do { try await relay.value } catch { printError("relay stopped with an error: \(error)") }
        return tally
    }

    private func startBroker(policy: RelayPolicy, logger: Logger) throws -> EmbeddedBroker {
        var topics = TopicNames.Topic.allCases.map {
            EmbeddedBroker.TopicSpec(name: policy.topics.name(of: $0), partitions: 3)
        }
        for bank in policy.routing.banks.keys.sorted() {
            topics.append(.init(name: policy.topics.bankRequests(bank), partitions: 2))
            topics.append(.init(name: policy.topics.bankResponses(bank), partitions: 2))
        }
        do {
            return try EmbeddedBroker(brokers: 1, port: port, topics: topics, logger: logger)
        } catch  where port != 0 {
            printError("port \(port) is taken (\(error)); using a free port instead")
            return try EmbeddedBroker(brokers: 1, port: 0, topics: topics, logger: logger)
        }
    }

    private func printIntroduction(bootstrap: String, ledger: String, policy: RelayPolicy) {
        print(
            """
            freeze-relay demo
            embedded broker (in memory, for trials only): \(bootstrap)
            ledger: \(ledger)
            banks: \(DemoScenario.banks.map { "\($0.id) (\($0.behaviour.rawValue))" }.joined(separator: ", "))
            orders must be signed: the simulated police sign with key "\(DemoScenario.policeKeyID)", generated for this run;
            the relay signs what it routes (key "demo-relay-1"), and the simulated banks check that signature
            deadlines scaled to seconds: urgent acknowledge \(DurationText.format(policy.sla.defaults[.urgent]!.acknowledge)), \
            freeze \(DurationText.format(policy.sla.defaults[.urgent]!.freeze)); escalation steps \(policy.sla.escalationSteps.map(DurationText.format))

            Watch the topics from another shell while it runs:
              kcat -b \(bootstrap) -C -t \(policy.topics.status) -o beginning -f '%k %s\\n'
              kcat -b \(bootstrap) -C -t \(policy.topics.escalations) -o beginning -f '%k %s\\n'
              kcat -b \(bootstrap) -C -t \(policy.topics.deadletter) -o beginning
              kcat -b \(bootstrap) -C -t \(policy.topics.bankRequests(try! BankID("kaspi"))) -o beginning
              kcat -b \(bootstrap) -L

            """)
    }
}

/// Set once from a signal handler, read by the summary loop.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
