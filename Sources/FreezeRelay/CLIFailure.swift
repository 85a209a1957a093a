import ArgumentParser

/// An error the CLI reports as a clear message on stderr, with a non-zero exit status.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitCodes.failure) {
        self.message = message
        self.exitCode = exitCode
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
