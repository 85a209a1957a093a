/// `FREEZE_RELAY_*` environment variables, applied on top of the file.
///
/// A key path maps to a variable by upper-casing it and writing `__` between sections:
/// `sla.urgent.acknowledge` is `FREEZE_RELAY_SLA__URGENT__ACKNOWLEDGE`. librdkafka
/// properties use `FREEZE_RELAY_KAFKA__PROPERTIES__<NAME>` with the property's dots written
/// as single underscores (`SASL_USERNAME` → `sasl.username`), so properties whose names
/// contain underscores cannot be set this way; the same goes for `SECRET_FILES` and
/// `SECRET_ENV`. `sla.escalation_steps` takes a comma-separated list. Banks cannot be set
/// from the environment: the routing table belongs in the file, under review.
public enum EnvironmentOverrides {
    /// The prefix every variable shares.
    public static let prefix = "FREEZE_RELAY_"

    /// Key paths of the values environment variables override, in schema order.
    static let overridablePaths: [[String]] = [
        ["kafka", "bootstrap_servers"], ["kafka", "group_id"], ["kafka", "client_id"],
        ["topics", "prefix"], ["topics", "requests"], ["topics", "status"], ["topics", "escalations"],
        ["topics", "deadletter"],
        ["ledger", "path"], ["ledger", "durability"], ["ledger", "dead_letter_retention"],
        ["ledger", "max_dead_letter_bytes"],
        ["sla", "urgent", "acknowledge"], ["sla", "urgent", "freeze"],
        ["sla", "normal", "acknowledge"], ["sla", "normal", "freeze"],
        ["sla", "escalation_steps"], ["sla", "hold_warning"],
        ["chain", "max_hops"], ["chain", "max_children_per_answer"], ["chain", "min_amount"],
        ["outbox", "max_backlog"], ["outbox", "publish_batch"],
        ["intake", "batch_size"], ["intake", "stall_timeout"],
        ["http", "listen"],
        ["account_links", "window"],
        ["logging", "level"], ["logging", "format"],
    ]

    /// Overridable values that are lists, given as comma-separated text.
    static let listPaths: Set<[String]> = [["sla", "escalation_steps"]]

    /// `kafka` maps whose entries are set one variable per entry.
    static let mapSections = ["PROPERTIES": "properties", "SECRET_FILES": "secret_files", "SECRET_ENV": "secret_env"]

    /// The variable that overrides `keyPath` (dot-separated, e.g. `"ledger.path"`).
    public static func variableName(for keyPath: String) -> String {
        prefix + keyPath.split(separator: ".").map { $0.uppercased() }.joined(separator: "__")
    }

    /// The variable for librdkafka property `name`, or `nil` when the name has an underscore
    /// (which the variable could not tell apart from a dot).
    public static func variableName(forProperty name: String) -> String? {
        guard !name.contains("_") else { return nil }
        return prefix + "KAFKA__PROPERTIES__" + name.uppercased().replacingDots(with: "_")
    }

    /// Every variable name that overrides a plain key (not the per-property ones).
    public static var knownVariableNames: [String] {
        overridablePaths.map { variableName(for: $0.joined(separator: ".")) }
    }

    /// What applying the environment found besides the values themselves.
    struct Outcome {
        var warnings: [ConfigurationProblem] = []
        /// `FREEZE_RELAY_*` variables matching no key; reported once it is known which
        /// variables `kafka.secret_env` refers to (those are expected, not typos).
        var unknown: [String] = []
    }

    /// Writes every recognised variable into `tree`.
    static func apply(_ environment: [String: String], to tree: inout ConfigTree) -> Outcome {
        var outcome = Outcome()
        let byName = Dictionary(
            uniqueKeysWithValues: overridablePaths.map {
                (variableName(for: $0.joined(separator: ".")), $0)
            })
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(prefix) {
            let target: [String]
            if let path = byName[name] {
                target = path
            } else if let path = mapEntryPath(name) {
                target = path
            } else {
                outcome.unknown.append(name)
                continue
            }
            let source = ConfigurationSource.environment(variable: name)
            // Deployment tools often define a variable as empty to mean "unset".
            guard !value.trimmingWhitespace().isEmpty else {
                outcome.warnings.append(
                    ConfigurationProblem(
                        path: target.joined(separator: "."), source: source,
                        message: "is set but empty, so it is ignored"))
                continue
            }
            _ = tree.set(
                target[...], to: leaf(value, source: source, isList: listPaths.contains(target)), source: source)
        }
        return outcome
    }

    /// Warnings for unknown variables, with a suggestion where one is close.
    static func unknownVariableWarnings(_ names: [String]) -> [ConfigurationProblem] {
        names.map { name in
            let source = ConfigurationSource.environment(variable: name)
            if name.hasPrefix(prefix + "BANKS") {
                return ConfigurationProblem(
                    path: "", source: source,
                    message: "banks cannot be configured from the environment; edit the file; variable ignored")
            }
            let hint = Suggestions.hint(for: name, among: knownVariableNames)
            return ConfigurationProblem(
                path: "", source: source,
                message: "no configuration key matches this variable\(hint); variable ignored")
        }
    }

    /// `FREEZE_RELAY_KAFKA__PROPERTIES__SASL_USERNAME` → `kafka.properties."sasl.username"`.
    private static func mapEntryPath(_ name: String) -> [String]? {
        let parts = name.dropFirst(prefix.count).components(separatedBy: "__")
        guard parts.count == 3, parts[0] == "KAFKA", let section = mapSections[parts[1]] else { return nil }
        let entry = parts[2]
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        guard !entry.isEmpty, entry.allSatisfy(allowed.contains), !entry.hasPrefix("_"), !entry.hasSuffix("_") else {
            return nil
        }
        return ["kafka", section, entry.lowercased().replacingOccurrencesOfUnderscoreWithDot()]
    }

    private static func leaf(_ value: String, source: ConfigurationSource, isList: Bool) -> ConfigTree {
        guard isList else { return .scalar(.init(text: value, kind: .text, source: source)) }
        let items = value.split(separator: ",", omittingEmptySubsequences: false).map {
            ConfigTree.scalar(.init(text: String($0).trimmingWhitespace(), kind: .text, source: source))
        }
        return .sequence(.init(items: items, source: source))
    }
}

extension String {
    fileprivate func replacingDots(with replacement: Character) -> String {
        String(map { $0 == "." ? replacement : $0 })
    }

    fileprivate func replacingOccurrencesOfUnderscoreWithDot() -> String {
        String(map { $0 == "_" ? "." : $0 })
    }
}
