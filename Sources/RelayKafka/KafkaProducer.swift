import CRdKafka
import Foundation
import Logging
import Synchronization

/// An idempotent Kafka producer whose sends resolve to delivery reports.
///
/// Defaults are `enable.idempotence=true` and `acks=all`: the broker keeps every record exactly
/// once and in order per partition even when requests are retried after a broker failure. Any
/// librdkafka property passes through from the configuration and may override them.
///
/// A dedicated thread serves librdkafka's delivery and error callbacks (`rd_kafka_poll`), so a
/// send resolves as soon as the broker acknowledged it, without the caller polling.
///
/// `@unchecked Sendable`: the `rd_kafka_t` handle is documented thread-safe for produce, poll and
/// flush; the only mutable Swift state (closed and destroyed flags) is behind a lock, which is also held while
/// a record is handed to librdkafka so that `close` cannot destroy the handle under a send.
public final class KafkaProducer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>
    private let state = LockedState(State())
    private let pollerDone = DispatchSemaphore(value: 0)

    private struct State {
        var closed = false
        var destroyed = false
    }

    static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "linger.ms": "5",
    ]

    /// Creates the producer and starts its callback thread.
    public init(configuration: KafkaConfiguration, logger: Logger, clientName: String = "producer") throws(KafkaError) {
        let conf = try configuration.withDefaults(Self.defaultProperties).makeNativeConfiguration()
        let context = ClientContext(logger: logger, clientName: clientName)
        let retained = context.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf, producerDeliveryCallback)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError.usage("cannot create Kafka producer: \(string(fromErrorBuffer: errstr))")
        }
        self.handle = rk
        self.context = context
        self.retainedContext = retained
        startPoller()
    }

    deinit {
        close(timeout: .zero)
        retainedContext.release()
    }

    private func startPoller() {
        let native = NativeHandle(pointer: handle)
        let thread = Thread { [state, pollerDone] in
            while !state.withLock({ $0.closed }) {
                rd_kafka_poll(native.pointer, 100)
            }
            pollerDone.signal()
        }
        thread.name = "kafka-producer-poll"
        thread.start()
    }

    /// Hands a record to librdkafka; `onDelivery` is called exactly once, on the producer's
    /// callback thread, with where the broker stored it or why it could not.
    /// Throws without calling `onDelivery` when the record could not even be queued
    /// (queue full — retriable — unknown topic in strict mode, closed producer, message too large).
    public func enqueue(
        _ message: OutgoingMessage,
        onDelivery: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let waiter = Unmanaged.passRetained(DeliveryWaiter(onDelivery))
        let failure: KafkaError? = state.withLock { state in
            guard !state.closed else {
                return KafkaError(
                    code: .destroyed, message: "the producer is closed", isFatal: false, isRetriable: false)
            }
            if let fatal = context.fatalError { return fatal }
            return produce(message, opaque: waiter.toOpaque())
        }
        if let failure {
            waiter.release()
            throw failure
        }
    }

    /// Sends a record and waits for the broker's acknowledgement. When librdkafka's local queue is
    /// full, waits for room (bounded by `queueFullTimeout`) instead of failing.
    public func send(_ message: OutgoingMessage, queueFullTimeout: Duration = .seconds(30)) async throws(KafkaError)
        -> DeliveryReport
    {
        let deadline = ContinuousClock.now + queueFullTimeout
        while true {
            do {
                let result: Result<DeliveryReport, KafkaError> = try await withCheckedThrowingContinuation {
                    continuation in
                    do throws(KafkaError) {
                        try enqueue(message) { continuation.resume(returning: $0) }
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                return try result.get()
            } catch let error as KafkaError where error.code == .queueFull && ContinuousClock.now < deadline {
                // Back-pressure: librdkafka drains its queue as the broker acknowledges.
                try? await Task.sleep(for: .milliseconds(5))
            } catch let error as KafkaError {
                throw error
            } catch {
                throw KafkaError.usage("unexpected error: \(error)")
            }
        }
    }

    /// Calls `rd_kafka_produceva` (the non-variadic form of `producev`, which Swift cannot call).
    private func produce(_ message: OutgoingMessage, opaque: UnsafeMutableRawPointer) -> KafkaError? {
        let headers: OpaquePointer? = message.headers.isEmpty ? nil : makeHeaders(message.headers)
        let error: OpaquePointer? = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key in
                withOptionalBytes(message.value) { value in
                    var fields: [rd_kafka_vu_t] = []
                    func field(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                        var vu = rd_kafka_vu_t()
                        vu.vtype = type
                        fill(&vu)
                        fields.append(vu)
                    }
                    field(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                    if let partition = message.partition { field(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                    if let key {
                        field(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                            $0.u.mem.size = key.count
                        }
                    }
                    if let value {
                        field(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                            $0.u.mem.size = value.count
                        }
                    }
                    if let headers { field(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                    // Copy the payload: Swift's buffers are only valid during this call.
                    field(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    field(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    return fields.withUnsafeBufferPointer { rd_kafka_produceva(handle, $0.baseAddress, $0.count) }
                }
            }
        }
        guard let error else { return nil }
        // librdkafka owns the headers only when produce succeeded.
        if let headers { rd_kafka_headers_destroy(headers) }
        let failure = KafkaError(consuming: error)
        return KafkaError(
            code: failure.code, message: "produce to \(message.topic): \(failure.message)", isFatal: failure.isFatal,
            isRetriable: failure.isRetriable)
    }

    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer {
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(list, header.name, -1, bytes.baseAddress, bytes.count)
                }
            } else {
                _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
            }
        }
        return list
    }

    /// Waits until every queued record is delivered or failed. Returns false on timeout.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        let destroyed = state.withLock { $0.destroyed }
        guard !destroyed else { return true }
        return rd_kafka_flush(handle, Int32(clamping: timeout.milliseconds)) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// The fatal error raised on this producer, if any (for instance when idempotence guarantees
    /// could not be kept); a producer with a fatal error must be recreated.
    public var fatalError: KafkaError? { context.fatalError }

    /// Sends a metadata request and reports whether a broker answered within `timeout`.
    public func brokerReachable(timeout: Duration) -> Bool {
        guard !state.withLock({ $0.destroyed }) else { return false }
        return metadataRoundTrip(handle, timeout: timeout)
    }

    /// Flushes for up to `timeout`, then fails whatever is still undelivered (each pending send
    /// resolves with a purge error, nothing is left hanging) and releases the client.
    /// Returns how many records were not delivered.
    @discardableResult
    public func close(timeout: Duration) -> Int {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return 0 }
        pollerDone.wait()
        rd_kafka_flush(handle, Int32(clamping: timeout.milliseconds))
        let undelivered = Int(rd_kafka_outq_len(handle))
        if undelivered > 0 {
            context.logger.warning("closing producer with undelivered records", metadata: ["count": "\(undelivered)"])
            _ = rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // Serve the purge's delivery reports so every waiter is resumed.
            _ = rd_kafka_flush(handle, 1000)
        }
        state.withLock { $0.destroyed = true }
        rd_kafka_destroy(handle)
        return undelivered
    }
}

/// Carries one send's completion through librdkafka as the message opaque.
private final class DeliveryWaiter: Sendable {
    let completion: @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    init(_ completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void) {
        self.completion = completion
    }
}

/// Delivery reports arrive on the thread serving `rd_kafka_poll`/`flush`; each message's opaque
/// is the retained `DeliveryWaiter` from `enqueue`, released here exactly once.
private func producerDeliveryCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let waiterPointer = message.pointee._private else { return }
    let waiter = Unmanaged<DeliveryWaiter>.fromOpaque(waiterPointer).takeRetainedValue()
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        waiter.completion(
            .success(DeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset))
        )
    } else {
        let code = KafkaError.Code(message.pointee.err)
        var fatal = false
        if code == .fatal { fatal = true }
        let text = String(cString: rd_kafka_err2str(message.pointee.err))
        waiter.completion(
            .failure(KafkaError(code: code, message: "delivery to \(topic) failed: \(text)", isFatal: fatal)))
    }
}

/// Runs `body` with the bytes of `bytes`, or nil.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
