import EmbeddedKafka
import Foundation
import Logging
import RelayKafka

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
