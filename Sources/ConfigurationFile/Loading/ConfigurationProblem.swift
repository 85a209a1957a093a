/// Where a configuration value came from: a place in the YAML file, an environment
/// variable, or a command-line flag.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// A position in the configuration file; `line` and `column` count from 1.
    case file(name: String, line: Int, column: Int)
    /// An environment variable such as `FREEZE_RELAY_LEDGER__PATH`.
    case environment(variable: String)
    /// A command-line flag such as `--log-level`.
    case flag(String)

    /// `freeze-relay.yaml:42:7`, `env FREEZE_RELAY_LEDGER__PATH` or `flag --log-level`.
    public var description: String {
        switch self {
        case .file(let name, let line, let column): "\(name):\(line):\(column)"
        case .environment(let variable): "env \(variable)"
        case .flag(let name): "flag \(name)"
        }
    }
}

/// One error or warning found while loading the configuration.
///
/// Messages never contain secret values: neither what `secret_files`/`secret_env` provide
/// nor the value of any property whose name looks secret.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The key path of the offending value, e.g. `banks[2].sla.urgent.acknowledge`;
    /// empty when the problem concerns the whole file.
    public var path: String
    /// Where the offending value was written; `nil` when it is missing altogether.
    public var source: ConfigurationSource?
    /// Why it is wrong, in a sentence fragment without the path or location.
    public var message: String

    public init(path: String, source: ConfigurationSource?, message: String) {
        self.path = path
        self.source = source
        self.message = message
    }

    /// The line in the configuration file, when the problem has one.
    public var line: Int? {
        if case .file(_, let line, _) = source { line } else { nil }
    }

    /// The column in the configuration file, when the problem has one.
    public var column: Int? {
        if case .file(_, _, let column) = source { column } else { nil }
    }

    /// `freeze-relay.yaml:42:7: banks[2].iban_bank_codes[0]: "KZ601" is claimed by both …`
    public var description: String {
        var parts: [String] = []
        if let source { parts.append(source.description) }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// A configuration that loaded, with the warnings found on the way.
public struct LoadedConfiguration: Sendable, Equatable {
    public var configuration: RelayConfiguration
    /// Non-fatal findings (unknown `FREEZE_RELAY_*` variables, idempotence switched off, …).
    public var warnings: [ConfigurationProblem]

    public init(configuration: RelayConfiguration, warnings: [ConfigurationProblem]) {
        self.configuration = configuration
        self.warnings = warnings
    }
}

/// Every error found in a configuration (not only the first), plus the warnings.
public struct ConfigurationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigurationProblem]
    public var warnings: [ConfigurationProblem]

    public init(errors: [ConfigurationProblem], warnings: [ConfigurationProblem] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    /// One line per error, then one `warning: …` line per warning.
    public var description: String {
        (errors.map(\.description) + warnings.map { "warning: \($0)" }).joined(separator: "\n")
    }
}
