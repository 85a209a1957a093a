import EmbeddedKafka
import Foundation
import Logging
import RelayKafka
import Testing

@testable import FreezeRelay

/// The real `freeze-relay` binary, run as a child process by the process-level tests.
enum DaemonProcess {
    /// `freeze-relay`, built next to the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "freeze-relay")
    }

    /// A configuration for `run`: the given banks (id, 3-digit KZ bank code), the HTTP endpoint
    /// off, short group timeouts so that rebalances on the mock broker take seconds, and any
    /// further librdkafka `properties`. `authenticity` is the section as YAML; by default
    /// signatures are off (these runs are about other things; `SignedOrderTests` checks them).
    static func config(
        bootstrap: String, ledger: String, banks: [(String, String)], properties: [String: String] = [:],
        authenticity: String = "authenticity:\n  policy: \"off\"\n"
    ) -> String {
        let defaults = [
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "topic.metadata.refresh.interval.ms": "1000",
        ]
        let lines = defaults.merging(properties) { _, given in given }.sorted { $0.key < $1.key }
            .map { "    \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        var yaml = """
            kafka:
              bootstrap_servers: \(bootstrap)
              properties:
            \(lines)
            ledger:
              path: \(ledger)
            http:
              listen: "off"
            logging:
              level: warning
            \(authenticity)banks:

            """
        for (id, code) in banks {
            yaml += """
                  - id: \(id)
                    name: \(id.capitalized) Bank
                    iban_bank_codes: [KZ\(code)]
                    escalation_contact: {email: desk@\(id).example}

                """
        }
        return yaml
    }

    /// A one-broker mock cluster for a daemon process to connect to, and the logger (quiet) that
    /// the test's own Kafka clients can share.
    static func quietCluster(_ label: String) throws -> (MockCluster, Logger) {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return (try MockCluster(brokers: 1, logger: logger), logger)
    }

    /// Starts `freeze-relay run --config configPath`; its output goes to `log` (appended) or nowhere.
    static func launch(_ configPath: String, log: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--config", configPath]
        process.standardOutput = FileHandle.nullDevice
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) {
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardError = handle
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }
}

struct CommandTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// What a test of the real binary needs around it: a quiet one-broker mock cluster and a
/// scratch directory, both gone after `close()`.
struct ProcessScratch {
    let cluster: MockCluster
    let directory: URL

    init(_ label: String) throws {
        (cluster, _) = try DaemonProcess.quietCluster(label)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The daemon's configuration (see `DaemonProcess.config`) with one bank and info logging.
    func config() -> String {
        DaemonProcess.config(
            bootstrap: cluster.bootstrapServers, ledger: path("ledger.sqlite"), banks: [("alpha", "125")]
        )
        .replacingOccurrences(of: "level: warning", with: "level: info")
    }

    /// Writes `yaml` as the configuration, checks that `check-config` accepts it, and starts
    /// `run` with it, logging to `run.log` (returned).
    func launch(_ yaml: String) throws -> (process: Process, log: URL) {
        let path = path("relay.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let checked = try CheckConfigCommand.parse([path]).output()
        #expect(checked.contains(": valid ("), "\(checked)")
        let log = directory.appendingPathComponent("run.log")
        return (try DaemonProcess.launch(path, log: log), log)
    }

    /// Asks `fetch` every 100 ms until its answer satisfies `done`, the process ends or a minute
    /// passes; returns the last answer.
    static func poll(
        _ process: Process, until done: (String) -> Bool, fetch: () -> String?
    ) async throws -> String {
        var answer = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, !done(answer), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            answer = fetch() ?? ""
        }
        return answer
    }

    func close() {
        cluster.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
