/// A mapping in the configuration, opened for decoding with the keys it may contain.
///
/// Opening reports a non-mapping value and every unknown key; reading a key reports type
/// errors. Reads of absent or null keys return `nil`, so callers fall back to defaults.
struct Section {
    let path: ConfigPath
    let mapping: ConfigTree.Mapping?
    let log: ProblemLog
    /// False when the value is there but is not a mapping (already reported).
    let isWellFormed: Bool

    /// Opens `tree` at `path`. `known: nil` accepts any key (used for librdkafka properties).
    init(_ tree: ConfigTree?, at path: ConfigPath, known: [String]?, log: ProblemLog) {
        self.path = path
        self.log = log
        switch tree {
        case nil:
            (mapping, isWellFormed) = (nil, true)
        case .some(let tree) where tree.isNull:
            (mapping, isWellFormed) = (nil, true)
        case .mapping(let mapping):
            (self.mapping, isWellFormed) = (mapping, true)
            if let source = mapping.source { log.sources[path] = source }
            if let known { Self.reportUnknownKeys(in: mapping, at: path, known: known, log: log) }
        case .some(let other):
            log.error(path, other.source, "expected a mapping (key: value lines), found \(other.kindDescription)")
            (mapping, isWellFormed) = (nil, false)
        }
    }

    private static func reportUnknownKeys(
        in mapping: ConfigTree.Mapping, at path: ConfigPath, known: [String], log: ProblemLog
    ) {
        for entry in mapping.entries where !known.contains(entry.key) {
            let message: String
            if entry.key == "<<" {
                message = "YAML merge keys (<<) are not supported; write the keys out"
            } else {
                let allowed = known.joined(separator: ", ")
                message =
                    "unknown key \(Quote.text(entry.key))"
                    + Suggestions.hint(for: entry.key, among: known) + "; allowed here: \(allowed)"
            }
            log.error(path.key(entry.key), entry.keySource, message)
        }
    }

    /// Whether the mapping is written at all (even if empty).
    var isPresent: Bool { mapping != nil }

    var source: ConfigurationSource? { mapping?.source }

    /// The entries in file order, null values included.
    var entries: [ConfigTree.Entry] { mapping?.entries ?? [] }

    /// The value under `key`; `nil` when absent or null.
    func value(_ key: String) -> ConfigTree? {
        guard let value = mapping?.entry(key)?.value, !value.isNull else { return nil }
        if let source = value.source { log.sources[path.key(key)] = source }
        return value
    }

    func section(_ key: String, known: [String]?) -> Section {
        Section(value(key), at: path.key(key), known: known, log: log)
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        value(key).flatMap { Read.int($0, at: path.key(key), in: range, log: log) }
    }

    func bool(_ key: String) -> Bool? {
        value(key).flatMap { Read.bool($0, at: path.key(key), log: log) }
    }

    func duration(_ key: String) -> Duration? {
        value(key).flatMap { Read.duration($0, at: path.key(key), log: log) }
    }

    func byteSize(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        value(key).flatMap { Read.byteSize($0, at: path.key(key), in: range, log: log) }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        value(key).flatMap { Read.choice($0, at: path.key(key), as: type, log: log) }
    }

    /// A list of strings; each item is checked by `check`, which returns why it is wrong.
    func stringList(_ key: String, check: (String) -> String? = { _ in nil }) -> [String]? {
        value(key).flatMap {
            Read.list($0, at: path.key(key), log: log) { item, itemPath in
                Read.string(item, at: itemPath, log: log).flatMap { text in
                    if let why = check(text) {
                        log.error(itemPath, item.source, why)
                        return nil
                    }
                    return text
                }
            }
        }
    }
}
