import ArgumentParser

/// An error the CLI reports as a clear message on stderr, with a non-zero exit status.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32
    /// The error the message reports, when it reports one: kept typed for callers and tests.
    let underlying: (any Error)?

    init(_ message: String, exitCode: Int32 = ExitCodes.failure, underlying: (any Error)? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.underlying = underlying
    }

    /// Reports `error` as it describes itself.
    init(wrapping error: any Error, exitCode: Int32 = ExitCodes.failure) {
        self.init("\(error)", exitCode: exitCode, underlying: error)
    }

    var description: String { message }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a `CLIFailure` into its message on stderr and its exit status.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CLIFailure {
            printError("freeze-relay: \(failure.message)")
            throw ExitCode(failure.exitCode)
        }
    }
}
