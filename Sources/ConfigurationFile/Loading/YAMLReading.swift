import Yams

/// Turns YAML text into a `ConfigTree`, keeping each node's line and column.
enum YAMLReading {
    enum Outcome {
        case tree(ConfigTree)
        case problem(ConfigurationProblem)
    }

    /// The parsed tree, or the one problem that stopped parsing.
    ///
    /// Yams' own error descriptions quote the offending line, which could hold a secret;
    /// problems are therefore rebuilt from the error's position and explanation only.
    static func parse(_ yaml: String, sourceName: String) -> Outcome {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            return .problem(problem(for: error, yaml: yaml, sourceName: sourceName))
        } catch {
            return .problem(ConfigurationProblem(path: "", source: nil, message: "not valid YAML"))
        }
        guard let root else {
            // An empty file (or one with only comments) configures nothing: all defaults.
            return .tree(.mapping(.init(entries: [], source: nil)))
        }
        var problems: [ConfigurationProblem] = []
        let tree = convert(root, sourceName: sourceName, path: .root, problems: &problems)
        if let first = problems.first { return .problem(first) }
        return .tree(tree)
    }

    private static func convert(
        _ node: Node, sourceName: String, path: ConfigPath, problems: inout [ConfigurationProblem]
    ) -> ConfigTree {
        let source = node.mark.map { ConfigurationSource.file(name: sourceName, line: $0.line, column: $0.column) }
        switch node {
        case .scalar(let scalar):
            return .scalar(.init(text: scalar.string, kind: kind(of: node), source: source))
        case .alias(let alias):
            // compose() resolves aliases to their anchored node; this is only reached for
            // aliases built by hand, which never happens here.
            return .scalar(.init(text: alias.anchor.rawValue, kind: .other, source: source))
        case .sequence(let sequence):
            let items = sequence.enumerated().map { offset, item in
                convert(item, sourceName: sourceName, path: path.index(offset), problems: &problems)
            }
            return .sequence(.init(items: items, source: source))
        case .mapping(let mapping):
            var entries: [ConfigTree.Entry] = []
            for (keyNode, valueNode) in mapping {
                let keySource = keyNode.mark.map {
                    ConfigurationSource.file(name: sourceName, line: $0.line, column: $0.column)
                }
                guard case .scalar(let keyScalar) = keyNode else {
                    problems.append(
                        ConfigurationProblem(
                            path: path.description, source: keySource,
                            message: "keys must be plain names, not lists or mappings"))
                    continue
                }
                let value = convert(
                    valueNode, sourceName: sourceName, path: path.key(keyScalar.string), problems: &problems)
                entries.append(.init(key: keyScalar.string, keySource: keySource, value: value))
            }
            return .mapping(.init(entries: entries, source: source))
        }
    }

    private static func kind(of node: Node) -> ConfigTree.ScalarKind {
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .str: return .string
        case .int: return .integer
        case .float: return .float
        case .null: return .null
        case .timestamp: return .timestamp
        case .bool:
            let text = node.string?.lowercased() ?? ""
            return .boolean(["true", "yes", "on"].contains(text))
        default: return .other
        }
    }

    private static func problem(for error: YamlError, yaml: String, sourceName: String) -> ConfigurationProblem {
        func located(_ mark: Mark?, _ message: String) -> ConfigurationProblem {
            let source = mark.map { ConfigurationSource.file(name: sourceName, line: $0.line, column: $0.column) }
            return ConfigurationProblem(path: "", source: source, message: "invalid YAML: \(message)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // The context text ("while scanning a simple key") names the construct, never content.
            let prefix = context.map { "\($0.text) (line \($0.mark.line)), " } ?? ""
            return located(mark, prefix + problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // `context.text` is the whole document here, so only the mark is used.
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return located(context.mark, "key \(keys) appears more than once in the same mapping")
        case .reader(let problem, _, _, _):
            return located(nil, problem)
        default:
            return located(nil, "the parser failed")
        }
    }
}
