import Contracts
import EmbeddedKafka
import Foundation
import RelayKafka
import Synchronization
import TestSupport

/// One crash-harness run: the broker, the scenario, the simulated banks, the recorder and the daemon.
final class CrashRun: Sendable {
    let settings: CrashRunSettings
    let scenario: CrashScenario
    private let cluster: MockCluster
    private let directory: URL
    private let configPath: String
    private let police: KafkaProducer
    private let banks: SimulatedBanks
    private let recorder: TopicRecorder
    private let background: [Task<Void, Never>]
    private let daemon = Mutex<Process?>(nil)
    private let progress = Mutex(Progress())

    private struct Progress {
        var deadLetterSources: Set<DeadLetter.Source> = []
        var progressKills = 0
        var timedKills = 0
        var firstStart: Duration?
        var restartToFirstRouting: [Duration] = []
    }

    var ledgerPath: String { directory.appendingPathComponent("ledger.sqlite").path }
    var logURL: URL { directory.appendingPathComponent("daemon.log") }
    var harnessFailures: [String] { banks.tally.failures + recorder.errors }

    init(settings: CrashRunSettings) throws {
        self.settings = settings
        scenario = CrashScenario(
            seed: settings.seed, recordCount: (settings.kills + 1) * settings.recordsPerCycle, time: Timestamp(Date()))
        cluster = try MockCluster(brokers: 1, logger: quietLogger)
        for topic in ["freeze.requests", "freeze.status", "freeze.escalations", "freeze.deadletter"] {
            try cluster.createTopic(topic, partitions: 3)
        }
        for bank in CrashWorld.banks {
            try cluster.createTopic("freeze.bank.\(bank.id).requests", partitions: 2)
            try cluster.createTopic("freeze.bank.\(bank.id).responses", partitions: 2)
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("relay.yaml").path
        let timeout = settings.sessionTimeoutMilliseconds
        try DaemonProcess.config(
            bootstrap: cluster.bootstrapServers, ledger: directory.appendingPathComponent("ledger.sqlite").path,
            banks: CrashWorld.banks.map { ($0.id, $0.code) },
            properties: ["session.timeout.ms": "\(timeout)", "heartbeat.interval.ms": "\(timeout / 12)"]
        )
        .write(toFile: configPath, atomically: true, encoding: .utf8)
        police = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers]), logger: quietLogger,
            clientName: "police")
        banks = try SimulatedBanks(bootstrap: cluster.bootstrapServers, seed: settings.seed, time: scenario.time)
        recorder = try TopicRecorder(bootstrap: cluster.bootstrapServers)
        background = [Task { [banks] in await banks.run() }, Task { [recorder] in await recorder.run() }]
    }

    /// Kills and restarts the daemon `settings.kills` times while the stream is published, lets
    /// the last one drain, stops it, and judges the result.
    func perform() async throws -> CrashVerdict {
        var timing = SplitMix64(state: settings.seed &+ 0x4B11)
        let chunks = stride(from: 0, to: scenario.records.count, by: settings.recordsPerCycle).map {
            scenario.records[$0..<min(scenario.records.count, $0 + settings.recordsPerCycle)]
        }
        try launch()
        for cycle in 0..<settings.kills {
            let launchedAt = ContinuousClock.now
            let batch = chunks[cycle]
            let publishing = Task { try await self.publish(batch) }
            let fresh = Set(
                batch.filter { $0.kind == .request }.compactMap {
                    try? EventDecoder.decodePoliceMessage($0.value).requestID
                })
            if timing.chance(70) && !fresh.isEmpty {
                // Once the (re)started daemon is back at work: kill it somewhere in the middle of that work.
                try await recorder.waitFor("a routing after start \(cycle)", timeout: .seconds(90)) { published in
                    published.contains {
                        if case .routedRequest(let r)? = $0.event { fresh.contains(r.requestID) } else { false }
                    }
                }
                let took = ContinuousClock.now - launchedAt
                progress.withLock { state in
                    state.progressKills += 1
                    if cycle == 0 { state.firstStart = took } else { state.restartToFirstRouting.append(took) }
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...400, using: &timing)))
            } else {
                // Anywhere: during start-up, ledger recovery, the group join, or work.
                progress.withLock { $0.timedKills += 1 }
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...2500, using: &timing)))
            }
            try await killDaemon(cycle: cycle)
            try await publishing.value
            try launch()
        }
        for batch in chunks.dropFirst(settings.kills) { try await publish(batch) }
        try await drain()
        try await stopDaemon()
        return try judge()
    }

    private func launch() throws {
        let process = try DaemonProcess.launch(configPath, log: logURL)
        daemon.withLock { $0 = process }
    }

    private func killDaemon(cycle: Int) async throws {
        guard let process = daemon.withLock({ $0 }) else { return }
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        guard process.terminationReason == .uncaughtSignal else {
            throw HarnessError(
                description:
                    "the daemon exited by itself (status \(process.terminationStatus)) before kill \(cycle + 1)\n\(logTail())"
            )
        }
    }

    private func stopDaemon() async throws {
        guard let process = daemon.withLock({ $0 }) else { return }
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw HarnessError(
                description:
                    "SIGTERM ended the daemon with \(process.terminationReason) \(process.terminationStatus)\n\(logTail())"
            )
        }
    }

    private func publish(_ records: ArraySlice<PoliceRecord>) async throws {
        for (index, record) in records.enumerated() {
            let report = try await police.send(
                OutgoingMessage(topic: "freeze.requests", key: record.key, value: record.value))
            if record.expectsDeadLetter {
                let source = DeadLetter.Source(
                    topic: report.topic, partition: Int(report.partition), offset: report.offset)
                progress.withLock { _ = $0.deadLetterSources.insert(source) }
            }
            // A stream, not a burst: records keep arriving while the daemon starts, works and dies.
            if index % 3 == 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Waits until the ledger holds every expected request in its final state and every answer,
    /// the outbox is empty, and the recorder has read every expected routing, cancel and dead letter.
    private func drain() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            if let ledger = try? LedgerSnapshot(path: ledgerPath),
                scenario.expectedRequests.allSatisfy({ ledger.requests[$0.key] == $0.value }),
                ledger.unsent == 0, ledger.responses.isSuperset(of: scenario.expectedAnswers),
                try judge(ledger: ledger).lost == 0
            {
                return
            }
            guard ContinuousClock.now < deadline else {
                throw HarnessError(
                    description:
                        "not drained after 120 s (seed \(settings.seed)): \(try judge().problems.prefix(20))\n\(logTail())"
                )
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    private func judge(ledger: LedgerSnapshot? = nil) throws -> CrashVerdict {
        CrashVerdict(
            scenario: scenario, deadLetterSources: progress.withLock { $0.deadLetterSources },
            published: recorder.all, ledger: try ledger ?? LedgerSnapshot(path: ledgerPath))
    }

    /// The figures the README quotes.
    func figures(_ verdict: CrashVerdict) -> String {
        let state = progress.withLock { $0 }
        let kinds = Dictionary(grouping: scenario.records, by: \.kind).mapValues(\.count)
        let roots = (kinds[.request] ?? 0) + (kinds[.unroutable] ?? 0)
        let times = state.restartToFirstRouting.sorted()
        let seconds = { (duration: Duration?) in duration.map { String(format: "%.1f s", $0.inSeconds) } ?? "-" }
        let tally = banks.tally
        return [
            "\(settings.kills) kills (\(state.progressKills) once work had resumed, \(state.timedKills) at a random time after start)",
            "\(scenario.records.count) police records: \(kinds[.request] ?? 0) requests, \(kinds[.unroutable] ?? 0) unroutable, "
                + "\(kinds[.exactDuplicate] ?? 0) exact duplicates, \(kinds[.resend] ?? 0) re-sends, \(kinds[.conflicting] ?? 0) conflicting, "
                + "\(kinds[.cancel] ?? 0) cancels, \(kinds[.garbage] ?? 0) garbage, \(kinds[.wrongKey] ?? 0) wrong keys",
            "\(scenario.expectedRequests.count - roots) follow-up requests",
            "\(tally.answersSent) bank answers sent (\(scenario.expectedAnswers.count) distinct, \(tally.duplicateAnswersSent) deliberate duplicates)",
            "\(verdict.routed) requests routed, \(verdict.reEmissions) byte-identical re-emissions, \(verdict.deadLetters) dead letters",
            "lost \(verdict.lost), double effects \(verdict.doubleEffects), integrity_check \(verdict.integrityOK ? "ok" : "FAILED")",
            "first start to first routing \(seconds(state.firstStart)); restart to first routing: min \(seconds(times.first)), "
                + "median \(seconds(times.isEmpty ? nil : times[times.count / 2])), max \(seconds(times.last)) (\(times.count) restarts)",
        ].joined(separator: "; ")
    }

    func logTail() -> String {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return "daemon log (last 40 lines):\n" + text.split(separator: "\n").suffix(40).joined(separator: "\n")
    }

    /// Stops everything, the daemon first if a failure left it running.
    func close() {
        if let process = daemon.withLock({ $0 }), process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for task in background { task.cancel() }
        banks.close()
        recorder.close()
        police.close(timeout: .seconds(2))
        cluster.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
