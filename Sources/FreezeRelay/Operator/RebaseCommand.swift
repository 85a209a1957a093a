import ArgumentParser
import ConfigurationFile
import Contracts
import Foundation
import Ledger
import RelayKafka
import RelayRuntime

/// `freeze-relay rebase`: the operator's explicit decision about where intake continues on a
/// partition whose offsets went backwards (or any partition), recorded in the audit trail.
struct RebaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebase",
        abstract: "Set where intake continues on a partition (after it halted because its offsets went backwards).",
        discussion: """
            The relay halts a partition when the broker no longer holds what the ledger applied \
            (topic re-created, broker data lost, ledger moved to another cluster): it reads nothing \
            more from it, /readyz fails and an intake_notice goes to the escalations topic. Decide \
            what the partition holds now, then: --to-beginning re-reads everything it still holds \
            (requests seen before are recognised as duplicates by their request id); --to-offset N \
            continues at N (records before N are never applied: say why in --note). The re-base \
            starts a new id epoch for the partition, lifts its halt and is recorded as a security \
            audit entry with --note. While the daemon runs it carries the re-base out within \
            seconds (this command waits for it); when it is stopped the ledger is changed \
            directly. `freeze-relay partitions` shows positions and halts. Exit status: 0, 2 for a \
            bad value, 3 when there is no ledger, 1 when the daemon refused or did not answer in time.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "The partition's topic, e.g. freeze.requests.")
    var topic: String

    @Option(help: "The partition number.")
    var partition: Int32

    @Option(name: .customLong("to-offset"), help: "Continue at this offset.")
    var toOffset: Int64?

    @Flag(name: .customLong("to-beginning"), help: "Continue at the first record the partition still holds.")
    var toBeginning = false

    @Option(help: "Why (ticket, what happened to the topic); kept in the audit trail and the notice to operators.")
    var note: String

    @Option(help: "How long to wait for a running daemon to carry it out, e.g. 30s.")
    var wait = "30s"

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try await output()) }
    }

    func output() async throws -> String {
        let now = try OperatorArguments.now(nowText)
        let target = try self.target()
        if let problem = RebaseTarget.problem(topic: topic, partition: partition, target: target) {
            throw OperatorArguments.usage(problem)
        }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw OperatorArguments.usage("--note must say why")
        }
        let waitLimit: Duration
        do { waitLimit = try DurationText.parse(wait) } catch {
            throw OperatorArguments.usage("--wait \(wait): \(error)")
        }
        let configuration = try options.load()
        let path = configuration.ledger.path
        let who =
            "\(ProcessInfo.processInfo.environment["USER"] ?? "unknown user")@\(ProcessInfo.processInfo.hostName) (freeze-relay rebase)"
        let ledger: Ledger
        do {
            ledger = try OperatorLedger.openWriter(at: path, durability: configuration.ledger.durability)
        } catch .inUse {
            return try await throughDaemon(path: path, target: target, who: who, now: now, waitLimit: waitLimit)
        } catch {
            throw OperatorLedger.failure(error)
        }
        defer { ledger.close() }
        let topics: TopicNames
        do { topics = try TopicNames(configuration: configuration) } catch {
            throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
        }
        let result: RebaseResult
        do {
            result = try PartitionRebase.apply(
                topic: topic, partition: partition, to: target, note: note, by: who, ledger: ledger, topics: topics,
                at: now)
        } catch {
            throw OperatorLedger.failure(reading: error)
        }
        return Self.text(result) + "\nthe daemon is not running: it continues there when it next starts"
    }

    private func target() throws -> Int64 {
        switch (toOffset, toBeginning) {
        case (let offset?, false): return offset
        case (nil, true): return KafkaConsumer.beginning
        default: throw OperatorArguments.usage("give exactly one of --to-offset N and --to-beginning")
        }
    }

    /// Leaves the request for the running daemon and waits for its answer.
    private func throughDaemon(path: String, target: Int64, who: String, now: Timestamp, waitLimit: Duration)
        async throws -> String
    {
        let sequence: Int64
        do {
            sequence = try Ledger.submitRebaseRequest(
                at: path, topic: topic, partition: partition, target: target, note: note, requestedBy: who, at: now)
        } catch let error as LedgerError {
            throw OperatorLedger.failure(error)
        }
        let reader = try OperatorLedger.openReader(at: path)
        defer { reader.close() }
        let deadline = ContinuousClock.now + waitLimit
        while ContinuousClock.now < deadline {
            if let (_, outcome) = try reader.rebaseRequestOutcome(sequence) {
                guard outcome.hasPrefix("done") else {
                    throw CLIFailure(
                        "the daemon refused re-base request #\(sequence): \(outcome)", exitCode: ExitCodes.failure)
                }
                let position = try reader.partitionPositions().first { $0.topic == topic && $0.partition == partition }
                return
                    "re-base request #\(sequence) carried out by the running daemon (\(outcome)); \(topic)[\(partition)] now continues at "
                    + (position.map {
                        $0.nextOffset == KafkaConsumer.beginning
                            ? "its first retained record" : "offset \($0.nextOffset)"
                    } ?? "?")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIFailure(
            "the daemon has not carried out re-base request #\(sequence) within \(wait); it stays queued and is carried out when the daemon gets to it",
            exitCode: ExitCodes.failure)
    }

    static func text(_ result: RebaseResult) -> String {
        let to =
            result.newPosition == KafkaConsumer.beginning ? "its first retained record" : "offset \(result.newPosition)"
        let from = result.previousPosition.map { "\($0)" } ?? "no recorded position"
        let lifted = result.liftedHalt.map { "; lifted the halt \($0.code.rawValue) of \($0.haltedAt.rfc3339)" } ?? ""
        return
            "\(result.topic)[\(result.partition)] re-based from \(from) to \(to), id epoch \(result.epoch)\(lifted); recorded as audit entry #\(result.auditSequence)"
    }
}

/// `freeze-relay partitions`: where intake stands on every partition, and which are halted.
struct PartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partitions",
        abstract: "Show the ledger's position on every consumed partition, and the halted ones with why (read-only).",
        discussion: "Exit status: 0, 2 for a bad value, 3 when there is no ledger, 1 otherwise."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "table or json.")
    var format = "table"

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    func output() throws -> String {
        let format = try OperatorArguments.choice(format, flag: "--format", allowed: [ReportFormat.table, .json])
        let reader = try OperatorLedger.openReader(at: try options.ledgerPath())
        defer { reader.close() }
        let positions: [PartitionPosition]
        let halts: [PartitionHalt]
        do {
            positions = try reader.partitionPositions()
            halts = try reader.partitionHalts()
        } catch {
            throw OperatorLedger.failure(reading: error)
        }
        let halted = Dictionary(halts.map { ("\($0.topic)[\($0.partition)]", $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(positions.map { "\($0.topic)[\($0.partition)]" }).union(halted.keys)
        let byName = Dictionary(positions.map { ("\($0.topic)[\($0.partition)]", $0) }, uniquingKeysWith: { a, _ in a })
        if format == .json {
            let rows: [[String: Any]] = names.sorted().map { name in
                var row: [String: Any] = ["partition": name]
                if let position = byName[name] {
                    row["next_offset"] = position.nextOffset
                    row["epoch"] = position.epoch
                }
                if let halt = halted[name] {
                    row["halted"] =
                        ["code": halt.code.rawValue, "since": halt.haltedAt.rfc3339, "detail": halt.detail]
                        as [String: Any]
                }
                return row
            }
            return ReportText.jsonDocument(["partitions": rows] as [String: Any])
        }
        var table = TextTable([
            .init("PARTITION"), .init("NEXT OFFSET", .right), .init("EPOCH", .right), .init("STATE"),
        ])
        for name in names.sorted() {
            let position = byName[name]
            let next =
                position.map { $0.nextOffset == KafkaConsumer.beginning ? "beginning" : "\($0.nextOffset)" } ?? "-"
            table.append([
                name, next, position.map { "\($0.epoch)" } ?? "-",
                halted[name].map { "HALTED \($0.code.rawValue) since \($0.haltedAt.rfc3339)" } ?? "reading",
            ])
        }
        var text = table.render()
        for halt in halts { text += "\n\n\(halt.topic)[\(halt.partition)]: \(halt.detail)" }
        return text
    }
}
