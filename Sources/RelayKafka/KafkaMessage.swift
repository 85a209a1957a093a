/// One topic partition.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A Kafka record header. Kafka allows repeated names and null values.
public struct KafkaHeader: Hashable, Sendable {
    public var name: String
    public var value: [UInt8]?
    /// The name's bytes as received, kept only when they are not valid UTF-8 (`name` then shows
    /// them with each invalid sequence replaced by U+FFFD). librdkafka hands names over as C
    /// strings, so a name is cut at its first NUL byte before anything here sees it.
    public var rawName: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose name arrived as these bytes.
    public init(nameBytes: [UInt8], value: [UInt8]?) {
        if let text = String(validating: nameBytes, as: UTF8.self) {
            self.init(name: text, value: value)
        } else {
            self.init(name: String(decoding: nameBytes, as: UTF8.self), value: value)
            rawName = nameBytes
        }
    }

    /// The name's bytes as received.
    public var nameBytes: [UInt8] { rawName ?? Array(name.utf8) }

    /// A header whose value is the UTF-8 encoding of `string`.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }

    /// The value decoded as UTF-8, if it is present and valid UTF-8.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// A record as read by a consumer. The bytes are copied out of librdkafka, so the value is
/// independent of the client that read it.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch, when the record carries a timestamp.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The first header with that name.
    public func header(_ name: String) -> KafkaHeader? { headers.first { $0.name == name } }
}

/// A record to produce. A nil partition lets the partitioner choose (by key hash when a key is set).
public struct OutgoingMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Where the broker stored a produced record.
public struct DeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// How far a consumer is behind on one partition it owns.
public struct PartitionLag: Sendable, Hashable {
    public var topicPartition: TopicPartition
    /// The next offset the consumer will read, or nil before it has a position.
    public var position: Int64?
    /// The offset after the last record on the broker, as last seen by the client.
    public var highWatermark: Int64?
    /// `highWatermark - position`, or nil when either is unknown.
    public var lag: Int64? {
        guard let position, let highWatermark else { return nil }
        return max(0, highWatermark - position)
    }
}

/// An error librdkafka reported about one partition while consuming.
public struct PartitionError: Sendable, Error, CustomStringConvertible {
    /// What kind of problem it is, as far as the consumer's position is concerned.
    public enum Kind: Sendable, Hashable {
        /// The broker refused the position as out of range (the log ends before it, or starts
        /// after it) and `auto.offset.reset` is `error`, so librdkafka did not move it.
        case offsetOutOfRange
        /// There is no committed offset to start from and `auto.offset.reset` is `error`.
        case noStartOffset
        /// Anything else (an unknown topic, a broker error); librdkafka retries by itself.
        case other
    }

    /// The partition concerned, when librdkafka names one.
    public var topicPartition: TopicPartition?
    /// The offset concerned, when there is one.
    public var offset: Int64?
    public var kind: Kind
    public var error: KafkaError

    public init(topicPartition: TopicPartition?, offset: Int64?, kind: Kind, error: KafkaError) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.kind = kind
        self.error = error
    }

    public var description: String { "\(error)" }
}

/// What one poll returned: records, and errors about single partitions.
public struct ConsumedBatch: Sendable {
    public var messages: [KafkaMessage] = []
    public var partitionErrors: [PartitionError] = []

    public init(messages: [KafkaMessage] = [], partitionErrors: [PartitionError] = []) {
        self.messages = messages
        self.partitionErrors = partitionErrors
    }

    public var isEmpty: Bool { messages.isEmpty && partitionErrors.isEmpty }
}

/// The length of a NUL-terminated C string, without Foundation.
func utf8Length(_ string: UnsafePointer<CChar>) -> Int {
    var count = 0
    while string[count] != 0 { count += 1 }
    return count
}
