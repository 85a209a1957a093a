/// Collects every problem found while decoding, plus where each decoded value came from
/// (so that checks across keys, such as duplicate BICs, can name both places).
final class ProblemLog {
    private(set) var errors: [ConfigurationProblem] = []
    private(set) var warnings: [ConfigurationProblem] = []
    /// Source of every scalar the decoder read, by key path.
    var sources: [ConfigPath: ConfigurationSource] = [:]

    func error(_ path: ConfigPath, _ source: ConfigurationSource?, _ message: String) {
        errors.append(ConfigurationProblem(path: path.description, source: source, message: message))
    }

    func warning(_ path: ConfigPath, _ source: ConfigurationSource?, _ message: String) {
        warnings.append(ConfigurationProblem(path: path.description, source: source, message: message))
    }

    func add(warnings more: [ConfigurationProblem]) { warnings += more }

    /// `source` as text for messages that point at a second place: "freeze-relay.yaml:12:9".
    func place(of path: ConfigPath) -> String {
        sources[path].map { "\(path) at \($0)" } ?? path.description
    }
}
