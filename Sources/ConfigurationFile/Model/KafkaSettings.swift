/// How to reach Kafka: the broker list, the consumer group, and librdkafka properties.
public struct KafkaSettings: Sendable, Equatable {
    /// `host:port[,host:port…]`; `nil` until the file, `FREEZE_RELAY_KAFKA__BOOTSTRAP_SERVERS`
    /// or `--bootstrap-servers` provide it (`validateForRun()` insists on it).
    public var bootstrapServers: String?
    public var groupID: String
    public var clientID: String
    /// librdkafka properties whose values are not secret, passed through unchanged.
    public var properties: [String: String]
    /// Secret property values: those from `secret_files` and `secret_env`, and any property
    /// whose name looks secret (see `isSecretProperty`). Kept apart so that printing
    /// `properties` can never reveal one.
    public var secrets: [String: SecretValue]
    /// Property name → file whose trimmed content is the value, as configured.
    public var secretFiles: [String: String]
    /// Property name → environment variable holding the value, as configured.
    public var secretEnvironment: [String: String]

    public init(
        bootstrapServers: String? = nil,
        groupID: String = "freeze-relay",
        clientID: String = "freeze-relay",
        properties: [String: String] = [:],
        secrets: [String: SecretValue] = [:],
        secretFiles: [String: String] = [:],
        secretEnvironment: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.properties = properties
        self.secrets = secrets
        self.secretFiles = secretFiles
        self.secretEnvironment = secretEnvironment
    }

    /// Everything a librdkafka client needs except `group.id` (consumers add `groupID`
    /// themselves; producers must not get it): `bootstrap.servers`, `client.id`, the
    /// properties and the revealed secrets.
    public func clientProperties() -> [String: String] {
        var result = properties
        for (name, secret) in secrets { result[name] = secret.revealed }
        if let bootstrapServers { result["bootstrap.servers"] = bootstrapServers }
        result["client.id"] = clientID
        return result
    }

    /// Whether a property's value must be treated as secret: its name contains `password`,
    /// `secret`, `token`, `.pem` or `jaas`, or it is `sasl.oauthbearer.config`.
    public static func isSecretProperty(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "token", ".pem", "jaas"].contains { lowered.contains($0) }
            || lowered == "sasl.oauthbearer.config"
    }
}

extension KafkaSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A summary with secret values replaced by `[redacted]`.
    public var description: String {
        let shown = properties.merging(secrets.mapValues { _ in SecretValue.redactedText }) { plain, _ in plain }
        let list = shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "KafkaSettings(bootstrapServers: \(bootstrapServers ?? "unset"), groupID: \(groupID), "
            + "clientID: \(clientID), properties: [\(list)])"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

/// A secret string (a password, a private key) that prints as `[redacted]`.
///
/// Only `revealed` gives the value; `description`, `debugDescription` and mirrors don't.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// What is printed instead of a secret.
    public static let redactedText = "[redacted]"

    /// The secret itself; hand it to librdkafka and nowhere else.
    public let revealed: String

    public init(_ value: String) {
        self.revealed = value
    }

    public var description: String { Self.redactedText }
    public var debugDescription: String { Self.redactedText }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
