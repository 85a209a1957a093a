/// Values from command-line flags, which override the file and the environment.
///
/// They are text, exactly as typed, and are validated like the file's values; problems
/// name the flag (`--bootstrap-servers`, `--database`, `--http-listen`, `--log-level`,
/// `--log-format`).
public struct ConfigurationOverrides: Sendable, Equatable {
    /// `kafka.bootstrap_servers`, flag `--bootstrap-servers`.
    public var bootstrapServers: String?
    /// `ledger.path`, flag `--database`.
    public var ledgerPath: String?
    /// `http.listen` (`host:port` or `off`), flag `--http-listen`.
    public var httpListen: String?
    /// `logging.level`, flag `--log-level`.
    public var logLevel: String?
    /// `logging.format`, flag `--log-format`.
    public var logFormat: String?

    public init(
        bootstrapServers: String? = nil,
        ledgerPath: String? = nil,
        httpListen: String? = nil,
        logLevel: String? = nil,
        logFormat: String? = nil
    ) {
        self.bootstrapServers = bootstrapServers
        self.ledgerPath = ledgerPath
        self.httpListen = httpListen
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// Each set value with its key path and flag name.
    var entries: [(keys: [String], flag: String, value: String)] {
        let all: [([String], String, String?)] = [
            (["kafka", "bootstrap_servers"], "--bootstrap-servers", bootstrapServers),
            (["ledger", "path"], "--database", ledgerPath),
            (["http", "listen"], "--http-listen", httpListen),
            (["logging", "level"], "--log-level", logLevel),
            (["logging", "format"], "--log-format", logFormat),
        ]
        return all.compactMap { keys, flag, value in value.map { (keys, flag, $0) } }
    }

    /// Writes the flags into `tree`.
    func apply(to tree: inout ConfigTree) {
        for (keys, flag, value) in entries {
            let source = ConfigurationSource.flag(flag)
            _ = tree.set(keys[...], to: .scalar(.init(text: value, kind: .text, source: source)), source: source)
        }
    }
}
