import CRdKafka

/// Conversions between Swift values and `rd_kafka_topic_partition_list_t`, which librdkafka uses
/// for assignments, offsets and pause/resume. Lists created here must be destroyed by the caller;
/// `PartitionList.with` does that.
enum PartitionList {
    typealias Pointer = UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// One entry read back from a list.
    struct Entry {
        var topicPartition: TopicPartition
        var offset: Int64
        var error: KafkaError.Code
    }

    /// Runs `body` with a freshly allocated list holding `partitions` (with `offsets`, when given),
    /// and destroys the list afterwards.
    static func with<R, E: Error>(
        _ partitions: [(TopicPartition, Int64?)],
        _ body: (Pointer) throws(E) -> R
    ) throws(E) -> R {
        let list = rd_kafka_topic_partition_list_new(Int32(clamping: max(partitions.count, 1)))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (tp, offset) in partitions {
            let entry = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            if let offset { entry.pointee.offset = offset }
        }
        return try body(list)
    }

    static func with<R, E: Error>(_ partitions: [TopicPartition], _ body: (Pointer) throws(E) -> R) throws(E) -> R {
        try with(partitions.map { ($0, nil) }, body)
    }

    /// Reads every entry of a list librdkafka handed to us (the list stays owned by the caller).
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [Entry] {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elems[index]
            return Entry(
                topicPartition: TopicPartition(topic: String(cString: element.topic), partition: element.partition),
                offset: element.offset,
                error: KafkaError.Code(element.err)
            )
        }
    }

    static func topicPartitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        read(list).map(\.topicPartition).sorted()
    }
}
