import CRdKafka

/// librdkafka client properties, passed through unchanged.
///
/// Any property librdkafka knows (`bootstrap.servers`, `security.protocol`, `sasl.mechanism`,
/// `ssl.ca.location`, …) can be set, so TLS, SASL/SCRAM and mutual TLS need configuration only,
/// no code. Values of properties that look secret are never echoed in errors or logs.
public struct KafkaConfiguration: Sendable, Equatable {
    /// The raw properties, as librdkafka names them.
    public var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    /// A configuration whose only property is the bootstrap server list.
    public init(bootstrapServers: String) {
        self.properties = ["bootstrap.servers": bootstrapServers]
    }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// This configuration with `defaults` filled in wherever the caller did not set a value.
    func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(defaults) { mine, _ in mine })
    }

    /// Whether a property holds a secret (passwords, private keys, tokens) that must never be logged.
    public static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k.hasSuffix(".pem")
            || k.contains("key.pem") || k.hasSuffix("jaas.config") || k.contains("token")
            || k == "sasl.oauthbearer.config"
    }

    /// Properties with secret values replaced, for logs and diagnostics.
    public var redacted: [String: String] {
        properties.reduce(into: [:]) { out, entry in
            out[entry.key] = Self.isSecret(entry.key) ? "[redacted]" : entry.value
        }
    }

    /// Builds an `rd_kafka_conf_t`; the caller owns it until it hands it to `rd_kafka_new`.
    package func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.usage("librdkafka could not allocate a configuration")
        }
        // Sorted so that, when two properties conflict, the error is the same on every run.
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            var errstr = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let why = string(fromErrorBuffer: errstr)
                if result == RD_KAFKA_CONF_UNKNOWN {
                    throw KafkaError.usage("Kafka property \(key): unknown property")
                }
                // librdkafka's explanation may quote the value, so it is withheld for secrets.
                let detail = Self.isSecret(key) ? "value withheld: secret property" : "\"\(value)\": \(why)"
                throw KafkaError.usage("Kafka property \(key): invalid value (\(detail))")
            }
        }
        return conf
    }
}
