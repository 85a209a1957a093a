import CRdKafka
import Dispatch
import LogThrottle
import Logging
import Synchronization

/// A Kafka group consumer that never stores an offset the caller has not confirmed.
///
/// Offsets are *stored* only through `store(_:)` (librdkafka's `enable.auto.offset.store` is
/// forced off) and *committed* by `commit()` or, if `enable.auto.commit` is left on, by
/// librdkafka's periodic auto-commit of what was stored. So a record counts as consumed only
/// after the caller says it has processed it durably.
///
/// Topics given to `subscribe` that start with `^` are regular expressions; librdkafka matches
/// them against the cluster's topics on every metadata refresh, so topics created later are
/// picked up.
///
/// Threading: librdkafka's consumer calls are thread-safe, but rebalance and error callbacks run
/// inside `poll` and `close`. The async `nextBatch` runs the blocking poll on this consumer's own
/// serial queue, never on Swift's cooperative pool.
///
/// `@unchecked Sendable`: the only non-Sendable stored value is the `rd_kafka_t` handle, which
/// librdkafka documents as safe to use from several threads; the lifecycle state is a `Mutex`.
public final class KafkaConsumer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>
    private let queue: DispatchQueue
    private let lifecycle = Mutex(Lifecycle.open)
    /// Consume errors repeat (every poll while a topic is missing, every record of a broken
    /// partition): per error code, the first 10 a minute are logged, then a summary count.
    private let consumeErrors: ThrottledLog

    /// `abandoned`: closed the way a crash would, so `deinit` must not leave the group either.
    private enum Lifecycle { case open, closing, closed, abandoned }
    /// The consumer group id.
    public let groupID: String

    /// A start offset meaning "the first record still retained" (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning: Int64 = -2
    /// A start offset meaning "after the last record" (`RD_KAFKA_OFFSET_END`).
    public static let end: Int64 = -1

    /// Settings that make sense for every freeze-relay consumer and which a caller may still override
    /// (except `enable.auto.offset.store`, which is the point of this type).
    static let defaultProperties: [String: String] = [
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "true",
        "auto.commit.interval.ms": "1000",
        "enable.partition.eof": "false",
        "topic.metadata.refresh.interval.ms": "5000",
    ]

    /// Creates a consumer in `groupID`. `rebalanceHandler` is told about every assignment and about
    /// every revocation before it happens; `startOffsets`, when given, says where newly assigned
    /// partitions start instead of the committed offsets.
    public init(
        configuration: KafkaConfiguration, groupID: String, logger: Logger,
        startOffsets: StartOffsets? = nil,
        rebalanceHandler: RebalanceHandler? = nil
    ) throws(KafkaError) {
        var config = configuration.withDefaults(Self.defaultProperties)
        config["group.id"] = groupID
        config["enable.auto.offset.store"] = "false"
        let conf = try config.makeNativeConfiguration()
        let context = ClientContext(logger: logger, clientName: "consumer group \(groupID)")
        let retained = context.install(on: conf)
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)

        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError.usage("cannot create Kafka consumer: \(string(fromErrorBuffer: errstr))")
        }
        // Route the main queue (errors, logs from poll) to the consumer queue served by poll.
        rd_kafka_poll_set_consumer(rk)
        self.handle = rk
        self.context = context
        self.consumeErrors = ThrottledLog(logger: logger)
        self.retainedContext = retained
        self.groupID = groupID
        self.queue = DispatchQueue(label: "kafka.consumer.\(groupID)")
        context.setRebalanceTarget(
            RebalanceCallbackTarget(handler: rebalanceHandler, startOffsets: startOffsets, consumer: self))
    }

    deinit {
        // The handler holds an unowned reference to self, which must not be touched while deiniting.
        context.setRebalanceTarget(nil)
        switch lifecycle.withLock({ $0 }) {
        case .abandoned:
            // 0x8 is RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE, a macro Swift does not import.
            rd_kafka_destroy_flags(handle, 0x8)
        case .open:
            rd_kafka_consumer_close(handle)
            rd_kafka_destroy(handle)
        case .closing, .closed:
            rd_kafka_destroy(handle)
        }
        retainedContext.release()
    }

    private func ensureOpen() throws(KafkaError) {
        // Still usable while closing: the final revoke hook runs then and must be able to commit.
        if [.closed, .abandoned].contains(lifecycle.withLock({ $0 })) {
            throw KafkaError(code: .destroyed, message: "the consumer is closed", isFatal: false, isRetriable: false)
        }
        if let fatal = context.fatalError { throw fatal }
    }

    /// Subscribes to topic names and `^regex` patterns, replacing any earlier subscription.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try ensureOpen()
        guard !topics.isEmpty else { throw KafkaError.usage("subscribe needs at least one topic or pattern") }
        let err = PartitionList.with(topics.map { TopicPartition(topic: $0, partition: -1) }) { list in
            rd_kafka_subscribe(handle, list)
        }
        try KafkaError.check(err, "subscribe to \(topics)")
    }

    /// Waits up to `timeout` for the first record, then takes whatever else is already buffered,
    /// up to `maxMessages`. Rebalance callbacks run inside this call. Blocks the calling thread.
    /// Errors about single partitions are logged and dropped; use `pollBatch` to act on them.
    public func poll(maxMessages: Int, timeout: Duration) throws(KafkaError) -> [KafkaMessage] {
        let batch = try pollBatch(maxMessages: maxMessages, timeout: timeout)
        // Consumer errors such as a subscribed topic that does not exist yet are informational:
        // librdkafka recovers by itself. They repeat every poll, so they are rate-limited.
        for problem in batch.partitionErrors {
            consumeErrors.warning(
                "consumer error", code: "\(problem.error.code)",
                metadata: ["error": "\(problem.error)", "kafka.client": "\(context.clientName)"])
        }
        return batch.messages
    }

    /// Like `poll`, but hands back the errors librdkafka reported about single partitions (an
    /// offset out of range, no offset to start from) next to the records, so the caller can
    /// decide what happens to that partition instead of librdkafka resetting it silently
    /// (set `auto.offset.reset` to `error` to get them).
    public func pollBatch(maxMessages: Int, timeout: Duration) throws(KafkaError) -> ConsumedBatch {
        try ensureOpen()
        consumeErrors.flush()
        var batch = ConsumedBatch()
        var wait = Int32(clamping: timeout.milliseconds)
        while batch.messages.count < maxMessages {
            guard let raw = rd_kafka_consumer_poll(handle, wait) else { break }
            defer { rd_kafka_message_destroy(raw) }
            wait = 0
            if raw.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                if let problem = try partitionError(raw) { batch.partitionErrors.append(problem) }
                continue
            }
            batch.messages.append(KafkaMessage(copying: raw))
        }
        return batch
    }

    /// `poll`, run on this consumer's own queue so the caller's thread is not blocked.
    public func nextBatch(maxMessages: Int, timeout: Duration) async throws(KafkaError) -> [KafkaMessage] {
        try await onQueue { () throws(KafkaError) in try self.poll(maxMessages: maxMessages, timeout: timeout) }
    }

    /// `pollBatch`, run on this consumer's own queue so the caller's thread is not blocked.
    public func nextConsumedBatch(maxMessages: Int, timeout: Duration) async throws(KafkaError) -> ConsumedBatch {
        try await onQueue { () throws(KafkaError) in try self.pollBatch(maxMessages: maxMessages, timeout: timeout) }
    }

    /// Runs blocking consumer work on this consumer's serial queue, off Swift's cooperative pool
    /// and never at the same time as a poll (whose rebalance callbacks may be running).
    public func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError)
        -> T
    {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(KafkaError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Classifies a consume error: fatal ones are thrown, end-of-partition is dropped, the rest
    /// is returned (with the partition, when librdkafka names one).
    private func partitionError(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) throws(KafkaError) -> PartitionError? {
        let code = KafkaError.Code(raw.pointee.err)
        if code == KafkaError.Code(RD_KAFKA_RESP_ERR__PARTITION_EOF) { return nil }
        let text = rd_kafka_message_errstr(raw).map { String(cString: $0) } ?? code.text
        if let fatal = context.fatalError { throw fatal }
        if code == .fatal { throw KafkaError(code: code, message: text, isFatal: true, isRetriable: false) }
        let topicPartition = raw.pointee.rkt.map {
            TopicPartition(topic: String(cString: rd_kafka_topic_name($0)), partition: raw.pointee.partition)
        }
        let offset = raw.pointee.offset >= 0 ? raw.pointee.offset : nil
        var kind = PartitionError.Kind.other
        if code == KafkaError.Code(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
            // librdkafka names the offset it could not use: none means there was no committed
            // offset to start from; a real one means the broker refused it as out of range.
            kind = offset == nil ? .noStartOffset : .offsetOutOfRange
        }
        let location = topicPartition.map { " on \($0)" } ?? ""
        return PartitionError(
            topicPartition: topicPartition, offset: offset, kind: kind,
            error: KafkaError(code: code, message: text + location))
    }

    /// Marks records as processed: the next committed offset of each partition becomes the
    /// highest given offset + 1. Call this only once their effects are durable.
    public func store(_ messages: some Sequence<KafkaMessage>) throws(KafkaError) {
        var next: [TopicPartition: Int64] = [:]
        for message in messages {
            next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
        }
        try store(nextOffsets: next)
    }

    /// Stores "next offset to read" per partition. Fails for partitions this consumer no longer owns.
    public func store(nextOffsets: [TopicPartition: Int64]) throws(KafkaError) {
        try ensureOpen()
        guard !nextOffsets.isEmpty else { return }
        let entries = nextOffsets.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
        let result: Result<Void, KafkaError> = PartitionList.with(entries) { list in
            let err = rd_kafka_offsets_store(handle, list)
            let failures = PartitionList.read(list).filter { $0.error != .noError }
            if let first = failures.first {
                return .failure(
                    KafkaError(
                        code: first.error,
                        message:
                            "cannot store offset for \(first.topicPartition): \(first.error.text) (not assigned to this consumer?)"
                    ))
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(
                    KafkaError(code: KafkaError.Code(err), message: "store offsets: \(KafkaError.Code(err).text)"))
            }
            return .success(())
        }
        try result.get()
    }

    /// Commits the stored offsets synchronously. Nothing stored since the last commit is not an error.
    /// Safe to call from inside a rebalance handler.
    public func commit() throws(KafkaError) {
        try ensureOpen()
        let err = rd_kafka_commit(handle, nil, 0)
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(err, "commit offsets of group \(groupID)")
    }

    /// The offsets committed for the group on the broker (nil where none is committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartition:
        Int64?]
    {
        try ensureOpen()
        let result: Result<[TopicPartition: Int64?], KafkaError> = PartitionList.with(partitions) { list in
            let err = rd_kafka_committed(handle, list, Int32(clamping: timeout.milliseconds))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(
                    KafkaError(
                        code: KafkaError.Code(err), message: "read committed offsets: \(KafkaError.Code(err).text)"))
            }
            var out: [TopicPartition: Int64?] = [:]
            for entry in PartitionList.read(list) { out[entry.topicPartition] = entry.offset < 0 ? nil : entry.offset }
            return .success(out)
        }
        return try result.get()
    }

    /// The partitions this consumer currently owns.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try ensureOpen()
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(handle, &list), "read assignment")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return PartitionList.topicPartitions(list)
    }

    /// Lag of every owned partition. By default from the client's cached high watermarks (no
    /// broker round trip; they move only while fetching works). With `askingBrokerWithin`, the
    /// high watermarks come from the brokers (one round trip, bounded by that time), falling
    /// back to the cached ones for partitions they did not answer for: a fetch that stopped then
    /// shows as lag instead of as a consumer that is up to date.
    public func lag(askingBrokerWithin timeout: Duration? = nil) throws(KafkaError) -> [PartitionLag] {
        let owned = try assignment()
        let fresh = timeout.flatMap { try? watermarks(of: owned, timeout: $0) } ?? [:]
        return PartitionList.with(owned) { list in
            _ = rd_kafka_position(handle, list)
            return PartitionList.read(list).map { entry in
                var low: Int64 = 0
                var high: Int64 = 0
                let err = rd_kafka_get_watermark_offsets(
                    handle, entry.topicPartition.topic, entry.topicPartition.partition, &low, &high)
                return PartitionLag(
                    topicPartition: entry.topicPartition,
                    position: entry.offset >= 0 ? entry.offset : nil,
                    highWatermark: fresh[entry.topicPartition]?.high
                        ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil)
                )
            }
        }
    }

    /// Stops fetching from these partitions (they stay assigned, paused, until resumed: a pause
    /// survives re-assignment). Fails, naming it, for a partition librdkafka does not know.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try perPartition("pause", partitions) { rd_kafka_pause_partitions(handle, $0) }
    }

    /// Resumes fetching from paused partitions.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try perPartition("resume", partitions) { rd_kafka_resume_partitions(handle, $0) }
    }

    /// Runs a call that reports per partition, and fails on the first partition it failed for.
    private func perPartition(
        _ what: String, _ partitions: [TopicPartition],
        _ call: (PartitionList.Pointer) -> rd_kafka_resp_err_t
    ) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        let result: Result<Void, KafkaError> = PartitionList.with(partitions) { list in
            let err = call(list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(
                    KafkaError(
                        code: KafkaError.Code(err), message: "\(what) \(partitions): \(KafkaError.Code(err).text)"))
            }
            if let failed = PartitionList.read(list).first(where: { $0.error != .noError }) {
                return .failure(
                    KafkaError(code: failed.error, message: "\(what) \(failed.topicPartition): \(failed.error.text)"))
            }
            return .success(())
        }
        try result.get()
    }

    /// Moves owned partitions to new positions (`KafkaConsumer.beginning` for the first retained
    /// record), also partitions whose fetching stopped on an error (where librdkafka's `seek`
    /// refuses to act). Under the eager protocol the whole assignment is handed to librdkafka
    /// again: the other partitions keep their current positions (or, before anything was read
    /// from them, the start offsets the application gave when they were assigned). Pauses stay
    /// as they were: resume a moved partition that was paused. Records
    /// fetched but not yet polled are fetched again. Call it from the thread that polls
    /// (`onQueue` in async code), never from inside a rebalance handler.
    public func reposition(_ changes: [TopicPartition: Int64]) throws(KafkaError) {
        try ensureOpen()
        guard !changes.isEmpty else { return }
        let owned = try assignment()
        if let stranger = changes.keys.first(where: { !owned.contains($0) }) {
            throw KafkaError(
                code: KafkaError.Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
                message: "cannot move \(stranger): not assigned to this consumer")
        }
        if rd_kafka_rebalance_protocol(handle).map({ String(cString: $0) }) == "COOPERATIVE" {
            let moved = changes.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
            let unassign: OpaquePointer? = PartitionList.with(moved.map(\.0)) {
                rd_kafka_incremental_unassign(handle, $0)
            }
            if let unassign { throw KafkaError(consuming: unassign) }
            let assign: OpaquePointer? = PartitionList.with(moved) { rd_kafka_incremental_assign(handle, $0) }
            if let assign { throw KafkaError(consuming: assign) }
            context.rememberStarts(changes)
            return
        }
        let current: [TopicPartition: Int64] = PartitionList.with(owned) { list in
            _ = rd_kafka_position(handle, list)
            return Dictionary(uniqueKeysWithValues: PartitionList.read(list).map { ($0.topicPartition, $0.offset) })
        }
        let starts = context.rememberedStarts
        let entries: [(TopicPartition, Int64?)] = owned.map { partition in
            if let target = changes[partition] { return (partition, target) }
            if let position = current[partition], position >= 0 { return (partition, position) }
            return (partition, starts[partition])
        }
        try KafkaError.check(
            PartitionList.with(entries) { rd_kafka_assign(handle, $0) },
            "re-assign \(owned.count) partition(s) to move \(changes.keys.sorted())")
        // A moved partition that nothing is read from before the next move must start here then.
        context.rememberStarts(changes)
    }

    /// Asks the partition's leader for its first retained offset (`low`) and the offset after its
    /// last record (`high`). Blocks up to `timeout`.
    public func watermarks(of partition: TopicPartition, timeout: Duration) throws(KafkaError) -> (
        low: Int64, high: Int64
    ) {
        guard let marks = try watermarks(of: [partition], timeout: timeout)[partition] else {
            throw KafkaError(
                code: KafkaError.Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION), message: "no watermarks for \(partition)")
        }
        return marks
    }

    /// The watermarks of many partitions in two broker round trips (ListOffsets for the earliest
    /// and the latest offsets, grouped by leader), within `timeout` overall. Partitions the broker
    /// reported an error for are left out.
    public func watermarks(of partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartition: (
        low: Int64, high: Int64
    )] {
        try ensureOpen()
        guard !partitions.isEmpty else { return [:] }
        let deadline = ContinuousClock.now + timeout
        func offsets(at logical: Int64) throws(KafkaError) -> [TopicPartition: Int64] {
            let remaining = max(Duration.milliseconds(1), deadline - ContinuousClock.now)
            let result: Result<[TopicPartition: Int64], KafkaError> = PartitionList.with(
                partitions.map { ($0, Optional(logical)) }
            ) { list in
                let err = rd_kafka_offsets_for_times(handle, list, Int32(clamping: remaining.milliseconds))
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    return .failure(
                        KafkaError(
                            code: KafkaError.Code(err),
                            message:
                                "query the watermarks of \(partitions.count) partition(s): \(KafkaError.Code(err).text)"
                        ))
                }
                var found: [TopicPartition: Int64] = [:]
                for entry in PartitionList.read(list) where entry.error == .noError && entry.offset >= 0 {
                    found[entry.topicPartition] = entry.offset
                }
                return .success(found)
            }
            return try result.get()
        }
        let low = try offsets(at: KafkaConsumer.beginning)
        let high = try offsets(at: KafkaConsumer.end)
        var marks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in partitions {
            if let first = low[partition], let end = high[partition] { marks[partition] = (first, end) }
        }
        return marks
    }

    /// The fatal error raised on this client, if any; a consumer with a fatal error must be recreated.
    public var fatalError: KafkaError? { context.fatalError }

    /// Leaves the group: the rebalance handler sees the final revocation (and can commit), then
    /// the stored offsets are committed. Blocks until done.
    public func close() throws(KafkaError) {
        let wasOpen = lifecycle.withLock { state in
            defer { if state == .open { state = .closing } }
            return state == .open
        }
        guard wasOpen else { return }
        defer { lifecycle.withLock { $0 = .closed } }
        releaseAssignment(within: .seconds(10))
        try KafkaError.check(rd_kafka_consumer_close(handle), "close consumer of group \(groupID)")
    }

    /// Gives the partitions back *before* closing. librdkafka 2.0.2 can hang for ever in
    /// `rd_kafka_assign` when an assignment is delivered while `rd_kafka_consumer_close` runs
    /// (confluentinc/librdkafka#4884, #4527): unsubscribing first and polling until nothing is
    /// assigned lets the revoke run as a normal rebalance (the handler still commits), so close
    /// has nothing left to hand over. Records polled meanwhile are dropped unstored, so the next
    /// owner reads them again.
    private func releaseAssignment(within timeout: Duration) {
        guard rd_kafka_unsubscribe(handle) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let message = rd_kafka_consumer_poll(handle, 100) { rd_kafka_message_destroy(message) }
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let err = rd_kafka_assignment(handle, &list)
            let owned = list.map { Int($0.pointee.cnt) } ?? 0
            if let list { rd_kafka_topic_partition_list_destroy(list) }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR || owned == 0 { return }
        }
        context.logger.warning(
            "partitions still assigned after unsubscribing; closing anyway",
            metadata: ["kafka.client": "\(context.clientName)"])
    }

    /// Drops the consumer the way a crash would: no final revoke, no final commit. Offsets stored
    /// but not yet auto-committed are lost, exactly as when the process dies. For crash tests.
    public func abandon() {
        let wasOpen = lifecycle.withLock { state in
            defer { if state == .open { state = .abandoned } }
            return state == .open
        }
        guard wasOpen else { return }
        context.setRebalanceTarget(nil)
    }

    /// Sends a metadata request and reports whether a broker answered within `timeout`.
    public func brokerReachable(timeout: Duration) -> Bool {
        metadataRoundTrip(handle, timeout: timeout)
    }
}

extension KafkaMessage {
    /// Copies key, value and headers out of a librdkafka message.
    init(copying raw: UnsafeMutablePointer<rd_kafka_message_t>) {
        let message = raw.pointee
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
            guard let pointer else { return nil }
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(raw, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                let nameBytes = name.map { Array(UnsafeRawBufferPointer(start: $0, count: utf8Length($0))) } ?? []
                headers.append(KafkaHeader(nameBytes: nameBytes, value: bytes))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(raw, &timestampType)
        self.init(
            topic: topic, partition: message.partition, offset: message.offset,
            key: bytes(message.key, message.key_len), value: bytes(message.payload, message.len),
            headers: headers,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }
}

/// Asks the cluster for metadata (no topics) as a cheap "is any broker answering" probe.
func metadataRoundTrip(_ handle: OpaquePointer, timeout: Duration) -> Bool {
    var metadata: UnsafePointer<rd_kafka_metadata>?
    let err = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(clamping: timeout.milliseconds))
    if let metadata { rd_kafka_metadata_destroy(metadata) }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR
}

extension Duration {
    /// Whole milliseconds, saturating, never negative.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return seconds > 0 ? Int64.max : 0 }
        return max(0, ms.partialValue + attoseconds / 1_000_000_000_000_000)
    }
}
