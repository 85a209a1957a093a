import Foundation

extension RelayConfiguration {
    /// Loads a configuration from YAML text, then applies `environment` and `overrides`.
    ///
    /// Precedence: defaults < file < environment < flags. Every problem is reported, not
    /// only the first; warnings come back on success and failure alike.
    ///
    /// - Parameters:
    ///   - yaml: The file's content.
    ///   - sourceName: How problems name the file (`freeze-relay.yaml:42:7: …`).
    ///   - environment: The process environment (`ProcessInfo.processInfo.environment`);
    ///     `FREEZE_RELAY_*` variables override keys, and `kafka.secret_env` reads from it.
    ///   - overrides: Values from command-line flags.
    ///   - otherVariables: `FREEZE_RELAY_*` variables the caller uses for itself, which
    ///     must not be reported as unknown.
    public static func load(
        yaml: String,
        sourceName: String = "<yaml>",
        environment: [String: String] = [:],
        overrides: ConfigurationOverrides = ConfigurationOverrides(),
        otherVariables: Set<String> = []
    ) -> Result<LoadedConfiguration, ConfigurationErrors> {
        switch YAMLReading.parse(yaml, sourceName: sourceName) {
        case .tree(let tree):
            return load(tree: tree, environment: environment, overrides: overrides, otherVariables: otherVariables)
        case .problem(let problem):
            // Nothing after a syntax error can be trusted, but typos in variables still help.
            var empty = ConfigTree.mapping(.init(entries: [], source: nil))
            let outcome = EnvironmentOverrides.apply(environment, to: &empty)
            let unknown = outcome.unknown.filter { !otherVariables.contains($0) }
            return .failure(
                ConfigurationErrors(
                    errors: [problem],
                    warnings: outcome.warnings + EnvironmentOverrides.unknownVariableWarnings(unknown)))
        }
    }

    /// Loads the file at `path` (or only defaults when `path` is `nil`), then applies
    /// `environment` and `overrides`. Without a file there are no banks, which `run`
    /// refuses through `validateForRun()`.
    public static func load(
        file path: String?,
        environment: [String: String] = [:],
        overrides: ConfigurationOverrides = ConfigurationOverrides(),
        otherVariables: Set<String> = []
    ) -> Result<LoadedConfiguration, ConfigurationErrors> {
        guard let path else {
            let empty = ConfigTree.mapping(.init(entries: [], source: nil))
            return load(tree: empty, environment: environment, overrides: overrides, otherVariables: otherVariables)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let why =
                FileManager.default.fileExists(atPath: path)
                ? "cannot be read as UTF-8 text (check permissions and encoding)" : "does not exist"
            return .failure(
                ConfigurationErrors(errors: [
                    ConfigurationProblem(path: "", source: nil, message: "configuration file \(path) \(why)")
                ]))
        }
        return load(
            yaml: text, sourceName: path, environment: environment, overrides: overrides,
            otherVariables: otherVariables)
    }

    private static func load(
        tree fileTree: ConfigTree, environment: [String: String], overrides: ConfigurationOverrides,
        otherVariables: Set<String>
    ) -> Result<LoadedConfiguration, ConfigurationErrors> {
        var tree = fileTree
        let outcome = EnvironmentOverrides.apply(environment, to: &tree)
        overrides.apply(to: &tree)

        let log = ProblemLog()
        log.add(warnings: outcome.warnings)
        let configuration = ConfigurationDecoder(log: log, environment: environment).decode(tree)
        // Variables named by kafka.secret_env (FREEZE_RELAY_SSL_KEY_PASSWORD, say) are expected.
        let expected = Set(configuration.kafka.secretEnvironment.values).union(otherVariables)
        log.add(
            warnings: EnvironmentOverrides.unknownVariableWarnings(outcome.unknown.filter { !expected.contains($0) }))

        guard log.errors.isEmpty else {
            return .failure(ConfigurationErrors(errors: log.errors, warnings: log.warnings))
        }
        return .success(LoadedConfiguration(configuration: configuration, warnings: log.warnings))
    }
}
