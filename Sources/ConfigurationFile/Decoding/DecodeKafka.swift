import Foundation

/// The `kafka` section: servers, group, librdkafka properties and where secrets come from.
enum KafkaKeys {
    static let all = ["bootstrap_servers", "group_id", "client_id", "properties", "secret_files", "secret_env"]

    /// Properties the file must not set, and why.
    static let forbiddenProperties: [String: String] = [
        "group.id": "must not be set as a property: the daemon manages the consumer group itself; "
            + "set kafka.group_id instead",
        "enable.auto.offset.store": "must not be set: the daemon stores each offset itself, only after the "
            + "record's effects are committed to the ledger; storing offsets automatically could lose "
            + "freeze requests in a crash",
        "bootstrap.servers": "must not be set as a property: set kafka.bootstrap_servers "
            + "(or FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS, --bootstrap-servers) so there is one place for it",
        "client.id": "must not be set as a property: set kafka.client_id instead",
    ]
}

extension ConfigurationDecoder {
    func decodeKafka(_ section: Section) -> KafkaSettings {
        var kafka = KafkaSettings()
        kafka.bootstrapServers = decodeBootstrapServers(section)
        if let group = section.nonEmptyString("group_id") { kafka.groupID = group }
        if let client = section.nonEmptyString("client_id") { kafka.clientID = client }

        let properties = section.section("properties", known: nil)
        for entry in properties.entries {
            guard let value = propertyValue(entry, in: properties) else { continue }
            if KafkaSettings.isSecretProperty(entry.key) {
                kafka.secrets[entry.key] = SecretValue(value)
                if case .file = entry.value.source {
                    log.warning(
                        properties.path.key(entry.key), entry.keySource,
                        "a secret is written in clear in the configuration file; "
                            + "prefer kafka.secret_files or kafka.secret_env")
                }
            } else {
                kafka.properties[entry.key] = value
            }
            if entry.key == "enable.idempotence", value.lowercased() == "false" {
                log.warning(
                    properties.path.key(entry.key), entry.value.source,
                    "idempotence is switched off: retried sends may then duplicate or reorder events, "
                        + "which the relay's once-only delivery relies on not happening")
            }
        }

        let files = section.section("secret_files", known: nil)
        for entry in files.entries {
            guard checkSecretEntry(entry, in: files, against: [properties]),
                let path = Read.nonEmptyString(entry.value, at: files.path.key(entry.key), log: log)
            else { continue }
            kafka.secretFiles[entry.key] = path
            if let secret = readSecretFile(path, at: files.path.key(entry.key), source: entry.value.source) {
                kafka.secrets[entry.key] = secret
            }
        }

        let variables = section.section("secret_env", known: nil)
        for entry in variables.entries {
            let path = variables.path.key(entry.key)
            guard checkSecretEntry(entry, in: variables, against: [properties, files]),
                let name = Read.nonEmptyString(entry.value, at: path, log: log)
            else { continue }
            if let why = Formats.environmentVariableName(name) {
                log.error(path, entry.value.source, why)
                continue
            }
            kafka.secretEnvironment[entry.key] = name
            switch environment[name] {
            case nil:
                log.error(path, entry.value.source, "environment variable \(name) is not set")
            case let value? where value.trimmingWhitespace().isEmpty:
                log.error(path, entry.value.source, "environment variable \(name) is set but empty")
            case let value?:
                kafka.secrets[entry.key] = SecretValue(value)
            }
        }
        return kafka
    }

    /// `bootstrap_servers` as `"a:9092,b:9092"` or as a list of entries.
    private func decodeBootstrapServers(_ section: Section) -> String? {
        guard let tree = section.value("bootstrap_servers") else { return nil }
        let path = section.path.key("bootstrap_servers")
        let entries: [String]?
        if case .sequence = tree {
            entries = Read.list(tree, at: path, log: log) { item, itemPath in
                Read.nonEmptyString(item, at: itemPath, log: log)
            }
        } else {
            entries = Read.nonEmptyString(tree, at: path, log: log)?.split(
                separator: ",", omittingEmptySubsequences: false
            )
            .map(String.init)
        }
        guard let entries, !entries.isEmpty else {
            if entries != nil { log.error(path, tree.source, "must list at least one server") }
            return nil
        }
        let problems = entries.compactMap(Formats.bootstrapServer)
        if let first = problems.first {
            log.error(path, tree.source, first)
            return nil
        }
        return entries.map { $0.trimmingWhitespace() }.joined(separator: ",")
    }

    /// A property's value as librdkafka text. Numbers keep their text; YAML booleans (`yes`,
    /// `on`, …) become `true`/`false`, the only spelling librdkafka accepts. Values are never
    /// quoted in messages: the property may be secret.
    private func propertyValue(_ entry: ConfigTree.Entry, in section: Section) -> String? {
        let path = section.path.key(entry.key)
        if let why = KafkaKeys.forbiddenProperties[entry.key] {
            log.error(path, entry.keySource, why)
            return nil
        }
        if let keySource = entry.keySource { log.sources[path] = keySource }
        guard case .scalar(let scalar) = entry.value else {
            log.error(
                path, entry.value.source,
                "expected a single value, found \(entry.value.kindDescription); "
                    + "write the full property name as the key, e.g. \"ssl.key.password: …\"")
            return nil
        }
        switch scalar.kind {
        case .string, .text, .integer, .float, .timestamp:
            return scalar.text
        case .boolean(let value):
            return value ? "true" : "false"
        case .null:
            log.error(path, entry.value.source, "has no value; remove the line to use librdkafka's default")
            return nil
        case .other:
            log.error(path, entry.value.source, "tagged YAML values are not supported; write the value as a string")
            return nil
        }
    }

    /// Whether a `secret_files`/`secret_env` entry names a property that may be set and is
    /// not already set elsewhere.
    private func checkSecretEntry(_ entry: ConfigTree.Entry, in section: Section, against others: [Section]) -> Bool {
        let path = section.path.key(entry.key)
        if let why = KafkaKeys.forbiddenProperties[entry.key] {
            log.error(path, entry.keySource, why)
            return false
        }
        if let other = others.first(where: { $0.mapping?.entry(entry.key) != nil }) {
            let otherPath = other.path.key(entry.key)
            let place = other.mapping?.entry(entry.key)?.keySource.map { " at \($0)" } ?? ""
            log.error(
                path, entry.keySource,
                "property \(entry.key) is also set in \(otherPath)\(place); "
                    + "set each property in one place only")
            return false
        }
        return true
    }

    /// The trimmed content of a secret file. Problems name the file, never its content.
    func readSecretFile(_ file: String, at path: ConfigPath, source: ConfigurationSource?) -> SecretValue? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            log.error(path, source, "secret file \(file) does not exist")
            return nil
        }
        guard !isDirectory.boolValue else {
            log.error(path, source, "secret file \(file) is a directory")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            log.error(path, source, "secret file \(file) cannot be read (check its permissions)")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            log.error(path, source, "secret file \(file) is not UTF-8 text")
            return nil
        }
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            log.error(path, source, "secret file \(file) is empty")
            return nil
        }
        return SecretValue(trimmed)
    }
}
