/// The configuration document as a tree whose every node remembers where it came from.
///
/// YAML, environment variables and flags all become this tree before decoding, so the
/// decoder validates them the same way and every problem can name its source.
indirect enum ConfigTree {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// What a scalar looked like where it was written. YAML scalars carry their resolved
    /// type; environment variables and flags are untyped text that each key interprets.
    enum ScalarKind: Equatable {
        case string
        case integer
        case float
        case boolean(Bool)
        case null
        case timestamp
        /// A YAML scalar with an explicit tag the schema does not know, e.g. `!!binary`.
        case other
        /// Text from an environment variable or a flag.
        case text
    }

    struct Scalar {
        var text: String
        var kind: ScalarKind
        var source: ConfigurationSource?
    }

    struct Entry {
        var key: String
        var keySource: ConfigurationSource?
        var value: ConfigTree
    }

    struct Mapping {
        var entries: [Entry]
        var source: ConfigurationSource?

        func entry(_ key: String) -> Entry? {
            entries.first { $0.key == key }
        }
    }

    struct Sequence {
        var items: [ConfigTree]
        var source: ConfigurationSource?
    }

    var source: ConfigurationSource? {
        switch self {
        case .scalar(let scalar): scalar.source
        case .mapping(let mapping): mapping.source
        case .sequence(let sequence): sequence.source
        }
    }

    /// Whether this is YAML's null (`~`, `null` or nothing), which the decoder treats as absent.
    var isNull: Bool {
        if case .scalar(let scalar) = self, scalar.kind == .null { true } else { false }
    }

    /// How the node is described in type errors: "a list", "a mapping", "the number 42", ….
    /// Only the kind is named for strings so that type errors never echo free text.
    var kindDescription: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar):
            switch scalar.kind {
            case .string, .text: "a string"
            case .integer: "the number \(scalar.text)"
            case .float: "the number \(scalar.text)"
            case .boolean(let value): "the boolean \(value)"
            case .null: "nothing (null)"
            case .timestamp: "a date"
            case .other: "a tagged value"
            }
        }
    }

    /// Replaces (or adds) the value at `keys`, creating mappings on the way. Returns false,
    /// changing nothing, when something on the way is a list or a scalar: the file then has
    /// a type error of its own, which decoding reports.
    mutating func set(_ keys: ArraySlice<String>, to value: ConfigTree, source: ConfigurationSource) -> Bool {
        guard let key = keys.first else {
            self = value
            return true
        }
        if isNull { self = .mapping(Mapping(entries: [], source: source)) }
        guard case .mapping(var mapping) = self else { return false }
        if let index = mapping.entries.firstIndex(where: { $0.key == key }) {
            var child = mapping.entries[index].value
            guard child.set(keys.dropFirst(), to: value, source: source) else { return false }
            mapping.entries[index].value = child
        } else {
            var child = ConfigTree.scalar(Scalar(text: "", kind: .null, source: source))
            _ = child.set(keys.dropFirst(), to: value, source: source)
            mapping.entries.append(Entry(key: key, keySource: source, value: child))
        }
        self = .mapping(mapping)
        return true
    }
}
