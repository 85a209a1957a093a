import ConfigurationFile
import Contracts
import Foundation
import Relay

/// Checks of operator command values that ArgumentParser takes as plain text.
///
/// They are checked in `run()` rather than by ArgumentParser so that a bad value exits with
/// status 2 (`ExitCodes.configuration`) like every other usage problem of freeze-relay, and
/// with a message that names the values that would have worked.
enum OperatorArguments {
    /// The time reports are judged at: `--now` when given (reproducible reports and tests),
    /// otherwise the clock.
    static func now(_ text: String?) throws -> Timestamp {
        guard let text else { return .now() }
        do { return try Timestamp(parsing: text) } catch {
            throw usage("--now \(text): \(error); expected an RFC 3339 time such as 2026-03-02T09:00:00Z")
        }
    }

    /// An instant given either as an RFC 3339 time or as a duration back from `now`
    /// (`24h` means 24 hours ago).
    static func instant(_ text: String, flag: String, now: Timestamp) throws -> Timestamp {
        if let time = try? Timestamp(parsing: text) { return time }
        do {
            // Whole seconds, clamped by `adding(seconds:)`: `100000d` must not overflow.
            return now.adding(seconds: -(try DurationText.parse(text)).components.seconds)
        } catch {
            throw usage(
                "\(flag) \(text): expected an RFC 3339 time such as 2026-03-02T09:00:00Z or a duration back from now such as 24h, 7d or 1h30m"
            )
        }
    }

    /// A positive count.
    static func count(_ text: String, flag: String) throws -> Int {
        guard let value = Int(text), value >= 1 else {
            throw usage("\(flag) \(text): expected a whole number of at least 1")
        }
        return value
    }

    /// One of `allowed`, or a usage failure listing them.
    static func choice<Value: RawRepresentable<String>>(_ text: String, flag: String, allowed: [Value]) throws -> Value
    {
        guard let value = allowed.first(where: { $0.rawValue == text }) else {
            throw usage("\(flag) \(text): expected one of \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// A usage problem: exit status 2.
    /// Ids given on the command line, each a UUID (`what` names them in the error).
    static func uuids(_ texts: [String], what: String) throws -> [UUID] {
        try texts.map { text in
            guard text.count == 36, let id = UUID(uuidString: text) else {
                throw usage(
                    "\"\(ContractText.fittedName(text, limit: 40))\" is not \(what) (a UUID such as 3f2b8c1e-…)")
            }
            return id
        }
    }

    /// Who decides and why, for the orders operators give: `--reason` is required, `--operator`
    /// defaults to the login.
    static func decision(
        operatorID: String?, reason: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> OperatorDecision {
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw usage("--reason is required: say why, it is audited and sent on with the decision")
        }
        guard
            let who = [operatorID, environment["SUDO_USER"], environment["USER"], environment["LOGNAME"]].compactMap({
                $0
            }).first(where: { !$0.isEmpty })
        else { throw usage("--operator is required when $USER is not set: say who decides") }
        return OperatorDecision(operatorID: who, reason: reason)
    }

    static func usage(_ message: String) -> CLIFailure {
        CLIFailure(message, exitCode: ExitCodes.configuration)
    }
}

/// How a report is printed.
enum ReportFormat: String, CaseIterable, Sendable {
    /// Aligned columns for a terminal.
    case table
    /// One JSON document, for scripts.
    case json
    /// The case tree in words (`case` only).
    case text
    /// A Graphviz graph (`case` only).
    case dot
}
