import ArgumentParser
import Foundation
import Testing

@testable import FreezeRelay

/// The exit status `run()` ends with: 0 when it returns, the `ExitCode` it throws otherwise.
func exitStatus<Command: AsyncParsableCommand>(_ command: Command) async -> Int32 {
    var command = command
    do {
        try await command.run()
        return 0
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch {
        Issue.record("run() threw something other than an exit code: \(error)")
        return -1
    }
}

/// The failure `body` throws, or nil (recording an issue) when it succeeds.
func failure(_ body: () async throws -> String) async -> CLIFailure? {
    do {
        let output = try await body()
        Issue.record("expected a failure, got output:\n\(output)")
        return nil
    } catch let failure as CLIFailure {
        return failure
    } catch {
        Issue.record("expected a CLIFailure, got \(error)")
        return nil
    }
}

/// Parses a JSON document printed by a command.
func jsonObject(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any])
}

/// The first word of each line after a table's dashes, up to the first blank line (callers
/// keep the ones that look like keys: a summary line may follow the rows).
func firstColumn(_ table: String) -> [String] {
    let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let dashes = lines.firstIndex(where: { $0.hasPrefix("---") }) else { return [] }
    return lines[(dashes + 1)...].prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
}

/// The data line of a table whose first column is `key`.
func row(_ table: String, _ key: String) -> String? {
    table.split(separator: "\n").map(String.init).first { $0.hasPrefix(key + " ") }
}
