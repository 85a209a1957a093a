import CRdKafka
import Logging
import RelayKafka

/// librdkafka's built-in mock cluster: real Kafka-protocol brokers on loopback TCP, in this
/// process, keeping data in memory. For tests and trials only: it keeps only a few MiB per
/// partition and loses everything when it stops.
///
/// The mock needs a client handle of its own to run on; its brokers are numbered 1…N.
///
/// `@unchecked Sendable`: the handles are only used through librdkafka's mock API, which
/// serialises access on the mock cluster's own thread.
public final class MockCluster: @unchecked Sendable {
    private let client: OpaquePointer
    private let cluster: OpaquePointer
    private let context: Unmanaged<ClientContext>
    private let closed = LockedState(false)
    /// Comma-separated `host:port` list of the mock brokers.
    public let bootstrapServers: String
    /// The broker ids, 1…N.
    public let brokerIDs: [Int32]

    /// Kafka protocol request types, for injecting errors into specific requests.
    public enum RequestType: Int16, Sendable {
        case produce = 0
        case fetch = 1
        case listOffsets = 2
        case metadata = 3
        case offsetCommit = 8
        case offsetFetch = 9
        case findCoordinator = 10
        case joinGroup = 11
        case heartbeat = 12
        case leaveGroup = 13
        case syncGroup = 14
        case initProducerID = 22
    }

    /// Starts `brokers` mock brokers on 127.0.0.1 with ports chosen by the system.
    public init(brokers: Int = 3, logger: Logger) throws(KafkaError) {
        guard (1...32).contains(brokers) else {
            throw KafkaError.usage("a mock cluster needs 1 to 32 brokers, not \(brokers)")
        }
        let conf = try KafkaConfiguration(["log.connection.close": "false"]).makeNativeConfiguration()
        let context = ClientContext(logger: logger, clientName: "mock cluster").install(on: conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            context.release()
            throw KafkaError.usage("cannot create the mock cluster's client: \(string(fromErrorBuffer: errstr))")
        }
        guard let mock = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            context.release()
            throw KafkaError.usage("librdkafka could not start a mock cluster")
        }
        self.client = rk
        self.cluster = mock
        self.context = context
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
        self.brokerIDs = (1...Int32(brokers)).map { $0 }
    }

    deinit { close() }

    /// The `host:port` of each broker, in broker id order.
    public var brokerAddresses: [String] {
        bootstrapServers.split(separator: ",").map(String.init)
    }

    /// Creates a topic (the mock also auto-creates topics on first use, with default partitions).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        guard partitions > 0 else { throw KafkaError.usage("topic \(name) needs at least one partition") }
        guard replicationFactor > 0, Int(replicationFactor) <= brokerIDs.count else {
            throw KafkaError.usage(
                "topic \(name): replication factor \(replicationFactor) needs as many brokers (have \(brokerIDs.count))"
            )
        }
        try KafkaError.check(
            rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor), "create mock topic \(name)")
    }

    /// Takes a broker down: its connections are closed and new ones refused until `setBrokerUp`.
    public func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, broker), "take mock broker \(broker) down")
    }

    /// Brings a broker back.
    public func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, broker), "bring mock broker \(broker) up")
    }

    /// Adds a round-trip delay to every response of a broker.
    public func setRoundTripTime(broker: Int32, _ delay: Duration) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_broker_set_rtt(cluster, broker, Int32(clamping: delay.milliseconds)),
            "set round-trip time of mock broker \(broker)")
    }

    /// Makes the next requests of `type` (on any broker) fail with `errors`, one error per request, in order.
    public func pushRequestErrors(_ type: RequestType, _ errors: [KafkaError.Code]) {
        let codes = errors.map { $0.c }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, type.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Drops any injected errors not yet consumed.
    public func clearRequestErrors(_ type: RequestType) {
        rd_kafka_mock_clear_request_errors(cluster, type.rawValue)
    }

    /// Moves the coordinator of a consumer group to `broker`.
    public func setGroupCoordinator(group: String, broker: Int32) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_coordinator_set(cluster, "group", group, broker), "set coordinator of group \(group)")
    }

    /// Moves the leader of a partition to `broker`.
    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker),
            "set leader of \(topic)[\(partition)]")
    }

    /// Stops every broker; clients connected to it will see the cluster as down.
    public func close() {
        let wasClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosed else { return }
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(client)
        context.release()
    }
}
