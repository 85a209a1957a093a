import Logging
import RelayKafka

/// A standalone Kafka-protocol broker for trials and tests: the mock cluster, its topics, and
/// optionally a fixed bootstrap port (such as 9092) forwarded to it.
///
/// Data lives in memory only and the mock keeps just a few MiB per partition: this is never
/// storage, and never for production.
public final class EmbeddedBroker: Sendable {
    /// A topic to create at start, written `name:partitions` on the command line.
    public struct TopicSpec: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var partitions: Int32

        public init(name: String, partitions: Int32) {
            self.name = name
            self.partitions = partitions
        }

        /// Parses `name:partitions` (partitions default to 1 when omitted).
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { return nil }
            self.name = String(name)
            if parts.count == 2 {
                guard let partitions = Int32(parts[1]), partitions > 0 else { return nil }
                self.partitions = partitions
            } else {
                self.partitions = 1
            }
        }

        public var description: String { "\(name):\(partitions)" }
    }

    /// The mock cluster behind the broker, for fault injection.
    public let cluster: MockCluster
    private let forwarder: PortForwarder?

    /// Starts `brokers` mock brokers, creates `topics`, and when `port` is given forwards
    /// `127.0.0.1:port` to them.
    public init(brokers: Int = 1, port: UInt16? = nil, topics: [TopicSpec] = [], logger: Logger) throws {
        let cluster = try MockCluster(brokers: brokers, logger: logger)
        for topic in topics {
            try cluster.createTopic(topic.name, partitions: topic.partitions, replicationFactor: min(Int32(brokers), 3))
        }
        self.cluster = cluster
        if let port {
            self.forwarder = try PortForwarder(port: port, targets: cluster.brokerAddresses)
        } else {
            self.forwarder = nil
        }
    }

    /// What clients should use as `bootstrap.servers`.
    public var bootstrapServers: String {
        if let forwarder { "127.0.0.1:\(forwarder.port)" } else { cluster.bootstrapServers }
    }

    /// Stops forwarding and shuts the brokers down.
    public func close() {
        forwarder?.close()
        cluster.close()
    }
}
