import ArgumentParser
import Foundation
import Ledger

/// `freeze-relay backup --to FILE`: an online, consistent copy of the ledger.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the ledger to a new file (safe while the daemon runs).",
        discussion: """
            Uses SQLite's online backup API on a read-only connection: the copy is one snapshot \
            of the ledger, taken without stopping or blocking the daemon, and is itself a ledger \
            the daemon can open. An existing file is never overwritten. Exit status: 0, 3 when \
            there is no ledger, 1 when the copy cannot be written (or the file exists).
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: ArgumentHelp("The new file to write (its directory is created if missing).", valueName: "file"))
    var to: String

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    /// Copies the ledger and says where to and how large.
    func output() throws -> String {
        let reader = try OperatorLedger.openReader(at: try options.ledgerPath())
        defer { reader.close() }
        let target = URL(fileURLWithPath: to).standardizedFileURL.path
        do { try reader.backup(to: target) } catch {
            // Includes `.backupTargetExists`: a failure (1) with the ledger's own sentence.
            throw CLIFailure(error.description, underlying: error)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int
        return "backup of \(reader.path) written to \(target)" + (size.map { " (\($0) bytes)" } ?? "")
    }
}
