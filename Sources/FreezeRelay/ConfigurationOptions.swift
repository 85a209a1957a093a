import ArgumentParser
import ConfigurationFile
import Foundation

/// The flags every command that reads the configuration shares; they override the file and
/// the `FREEZE_RELAY_*` environment.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "YAML configuration file (see deploy/freeze-relay.example.yaml).")
    var configFile: String?

    @Option(name: .customLong("bootstrap-servers"), help: "Kafka bootstrap servers, HOST:PORT[,HOST:PORT…].")
    var bootstrapServers: String?

    @Option(name: .customLong("database"), help: "Path of the SQLite ledger.")
    var database: String?

    @Option(name: .customLong("http-listen"), help: "HOST:PORT for /healthz, /readyz and /metrics, or off.")
    var httpListen: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "logfmt or json.")
    var logFormat: String?

    var overrides: ConfigurationOverrides {
        ConfigurationOverrides(
            bootstrapServers: bootstrapServers, ledgerPath: database, httpListen: httpListen, logLevel: logLevel,
            logFormat: logFormat)
    }

    /// Loads file + environment + flags, printing warnings; exits with status 2 and every
    /// problem (path, line, why) when the configuration is invalid.
    func load() throws -> RelayConfiguration {
        try loadConfiguration(file: configFile, overrides: overrides)
    }
}

/// Loads a configuration file (or none) with the environment and `overrides` applied.
func loadConfiguration(file: String?, overrides: ConfigurationOverrides = ConfigurationOverrides()) throws
    -> RelayConfiguration
{
    switch RelayConfiguration.load(file: file, environment: ProcessInfo.processInfo.environment, overrides: overrides) {
    case .success(let loaded):
        for warning in loaded.warnings { printError("warning: \(warning)") }
        return loaded.configuration
    case .failure(let problems):
        throw CLIFailure(problems.description, exitCode: ExitCodes.configuration)
    }
}

/// Exit statuses scripts can rely on.
enum ExitCodes {
    static let ok: Int32 = 0
    /// Something failed at run time (ledger unwritable, fatal Kafka error).
    static let failure: Int32 = 1
    /// The configuration or the command line is invalid.
    static let configuration: Int32 = 2
    /// What was asked for does not exist (unknown case, no ledger).
    static let notFound: Int32 = 3
    /// The ledger is in use by a running daemon (for commands that need it exclusively).
    static let busy: Int32 = 4
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
