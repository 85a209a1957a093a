import CRdKafka

/// A change in the partitions a group consumer owns.
public enum RebalanceEvent: Sendable, Equatable {
    /// The consumer now owns these partitions (in addition to any it kept, under the cooperative
    /// protocol). Consumption starts at the committed offsets.
    case assigned([TopicPartition])
    /// The consumer is about to give up these partitions. The handler runs *before* they are
    /// released, so it can finish its work and commit offsets. When `lost` is true, the group has
    /// already moved on (the session timed out) and commits will fail: the new owner re-reads
    /// from the last committed offset.
    case revoked([TopicPartition], lost: Bool)
}

/// Called from inside `poll` or `close` on the thread that called them, with the consumer, so
/// that the handler can commit synchronously before partitions move.
public typealias RebalanceHandler = @Sendable (RebalanceEvent, KafkaConsumer) -> Void

/// Where to start reading newly assigned partitions, overriding the group's committed offsets:
/// for applications that keep their consumed positions durably next to their own state (and so
/// can be restored from a backup together with it). Partitions it leaves out start at the
/// committed offset, as usual; `KafkaConsumer.beginning` starts a partition at its first
/// retained record. Called inside `poll` when partitions are assigned, with the consumer (which
/// may be asked for watermarks, but must not be polled or re-assigned from here).
public typealias StartOffsets = @Sendable ([TopicPartition], KafkaConsumer) -> [TopicPartition: Int64]

/// What the C rebalance callback reaches through the client context.
final class RebalanceCallbackTarget: Sendable {
    let handler: RebalanceHandler?
    let startOffsets: StartOffsets?
    /// Unowned because the consumer owns the context, which owns this target; the callback can
    /// only run while the consumer is alive (inside its `poll` or `close`).
    unowned let consumer: KafkaConsumer

    init(handler: RebalanceHandler?, startOffsets: StartOffsets?, consumer: KafkaConsumer) {
        self.handler = handler
        self.startOffsets = startOffsets
        self.consumer = consumer
    }
}

/// Installed on every group consumer: surfaces the change to the handler and performs the
/// (incremental or eager) assign/unassign librdkafka expects from an application rebalance callback.
func rebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk else { return }
    let context = ClientContext.from(rk)
    let target = context?.rebalanceTarget
    // NULL while the consumer is leaving the group (during close): the eager calls apply then.
    let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
    let owned = PartitionList.topicPartitions(partitions)

    func report(_ error: OpaquePointer?, _ what: String) {
        guard let error else { return }
        context?.logger.error("rebalance \(what) failed", metadata: ["error": "\(KafkaError(consuming: error))"])
    }
    func reportCode(_ code: rd_kafka_resp_err_t, _ what: String) {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        context?.logger.error(
            "rebalance \(what) failed", metadata: ["error": "\(KafkaError(code: KafkaError.Code(code)))"])
    }

    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if let target, let provider = target.startOffsets, let partitions, let elements = partitions.pointee.elems {
            let starts = provider(owned, target.consumer)
            context?.rememberStarts(starts, assigned: owned)
            for index in 0..<Int(partitions.pointee.cnt) {
                let tp = TopicPartition(
                    topic: String(cString: elements[index].topic), partition: elements[index].partition)
                if let offset = starts[tp] { elements[index].offset = offset }
            }
            if !starts.isEmpty {
                context?.logger.info(
                    "starting assigned partitions at the application's own positions",
                    metadata: [
                        "positions": "\(starts.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" })"
                    ])
            }
        }
        if cooperative {
            report(rd_kafka_incremental_assign(rk, partitions), "incremental assign")
        } else {
            reportCode(rd_kafka_assign(rk, partitions), "assign")
        }
        context?.logger.info(
            "partitions assigned", metadata: ["partitions": "\(owned)", "kafka.client": "\(context?.clientName ?? "")"])
        if let target { target.handler?(.assigned(owned), target.consumer) }
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        let lost = rd_kafka_assignment_lost(rk) != 0
        context?.logger.info(
            "partitions revoked",
            metadata: ["partitions": "\(owned)", "lost": "\(lost)", "kafka.client": "\(context?.clientName ?? "")"])
        // The handler runs first: the partitions are still ours until the unassign below.
        if let target { target.handler?(.revoked(owned, lost: lost), target.consumer) }
        if cooperative {
            report(rd_kafka_incremental_unassign(rk, partitions), "incremental unassign")
        } else {
            reportCode(rd_kafka_assign(rk, nil), "unassign")
        }
    default:
        context?.logger.error(
            "rebalance error; dropping the assignment", metadata: ["error": "\(KafkaError(code: KafkaError.Code(err)))"]
        )
        // The handler must hear that the partitions are gone, as for a lost assignment.
        var current: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        if rd_kafka_assignment(rk, &current) == RD_KAFKA_RESP_ERR_NO_ERROR, let current {
            let dropped = PartitionList.topicPartitions(current)
            rd_kafka_topic_partition_list_destroy(current)
            if let target, !dropped.isEmpty { target.handler?(.revoked(dropped, lost: true), target.consumer) }
        }
        reportCode(rd_kafka_assign(rk, nil), "unassign")
    }
}
