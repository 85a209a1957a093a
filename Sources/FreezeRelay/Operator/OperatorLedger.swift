import ConfigurationFile
import Foundation
import Ledger
import RelayRuntime

/// How the operator commands find and open the ledger.
///
/// The path comes from the configuration (`--config`, `FREEZE_RELAY_LEDGER__PATH`,
/// `--database`, in rising precedence; `./data/freeze-relay.sqlite` without any), so an
/// operator points a command at the ledger the same way the daemon is pointed at it.
enum OperatorLedger {
    /// Opens the ledger read-only. Never creates a file and never takes the writer lock, so it
    /// works while the daemon runs.
    static func openReader(at path: String) throws -> LedgerReader {
        do {
            return try LedgerReader.open(at: path)
        } catch {
            throw failure(error)
        }
    }

    /// Opens the ledger as its writer, for the commands that change it while the daemon is
    /// stopped. Probes it read-only first: `Ledger.open` would create an empty ledger where
    /// none exists, and would migrate an older schema, and neither is an operator command's
    /// business (a missing file is `.noLedger`, an old schema `.schemaOutdated`: only the
    /// daemon migrates).
    static func openWriter(at path: String, durability: LedgerDurability) throws(LedgerError) -> Ledger {
        let probe = try LedgerReader.open(at: path)
        probe.close()
        return try Ledger.open(
            at: path, configuration: LedgerConfiguration(durability: Durability(durability)))
    }

    /// The exit status and one-line message for a ledger that could not be used: a missing
    /// ledger is "not found" (3), a ledger held by the daemon is "busy" (4), anything else a
    /// failure (1). `LedgerError`'s descriptions already say what to do.
    static func failure(_ error: LedgerError) -> CLIFailure {
        switch error {
        case .noLedger:
            CLIFailure(error.description, exitCode: ExitCodes.notFound, underlying: error)
        case .inUse(let path, let pid):
            CLIFailure(
                "the ledger \(path) is in use by the freeze-relay daemon\(pid.map { " (pid \($0))" } ?? ""): stop the daemon first",
                exitCode: ExitCodes.busy, underlying: error)
        default:
            CLIFailure(error.description, underlying: error)
        }
    }

    /// Any error from a ledger read as a one-line `CLIFailure`.
    static func failure(reading error: any Error) -> CLIFailure {
        if let failure = error as? CLIFailure { return failure }
        if let ledgerError = error as? LedgerError { return failure(ledgerError) }
        return CLIFailure("cannot read the ledger: \(error)", underlying: error)
    }
}

extension ConfigurationOptions {
    /// The ledger path the configuration names (with `--database` applied).
    func ledgerPath() throws -> String {
        try load().ledger.path
    }
}
