import ConfigurationFile
import Foundation
import Testing

/// The file name problems carry in these tests.
let fileName = "freeze-relay.yaml"

/// Loads `yaml` as if from `freeze-relay.yaml`.
func load(
    _ yaml: String, environment: [String: String] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides()
) -> Result<LoadedConfiguration, ConfigurationErrors> {
    RelayConfiguration.load(yaml: yaml, sourceName: fileName, environment: environment, overrides: overrides)
}

/// The configuration `yaml` loads to; records an issue listing the errors if it fails.
func loaded(
    _ yaml: String, environment: [String: String] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> LoadedConfiguration? {
    switch load(yaml, environment: environment, overrides: overrides) {
    case .success(let result): return result
    case .failure(let errors):
        Issue.record("expected the configuration to load, got:\n\(errors)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The errors `yaml` fails with; records an issue if it loads.
func failures(
    _ yaml: String, environment: [String: String] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigurationErrors {
    switch load(yaml, environment: environment, overrides: overrides) {
    case .success:
        Issue.record("expected the configuration to be refused", sourceLocation: sourceLocation)
        return ConfigurationErrors(errors: [])
    case .failure(let errors): return errors
    }
}

/// The only error at `path`; records an issue unless there is exactly one.
func error(
    at path: String, in errors: ConfigurationErrors, sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigurationProblem? {
    let matching = errors.errors.filter { $0.path == path }
    guard matching.count == 1 else {
        Issue.record(
            "expected one error at \(path), got \(matching.count) among:\n\(errors)",
            sourceLocation: sourceLocation)
        return nil
    }
    return matching[0]
}

/// A minimal valid bank list entry, for tests about other sections.
let oneBank = """
    banks:
      - id: halyk
        name: Halyk Bank
        iban_bank_codes: [KZ601]
        escalation_contact: { email: desk@halyk.example }
    """

/// The sample shipped in deploy/.
let samplePath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("deploy/freeze-relay.example.yaml").path

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
