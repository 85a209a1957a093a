import CRdKafka
import Logging
import Synchronization

/// What librdkafka's C callbacks need to reach Swift: the logger, the last fatal error, the
/// consumer's rebalance handler.
///
/// C function pointers cannot capture, so one retained `ClientContext` is handed to librdkafka as
/// the handle's opaque pointer (`rd_kafka_conf_set_opaque`) and read back inside each callback
/// with `rd_kafka_opaque(rk)`. It is released only after `rd_kafka_destroy` has returned, when no
/// librdkafka thread can call back any more.
///
/// Threads: the log callback runs on librdkafka's internal threads; error, delivery and rebalance
/// callbacks run on whichever thread calls `rd_kafka_poll`, `rd_kafka_flush`,
/// `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`. Everything here is therefore either
/// immutable and `Sendable` or guarded by a `Mutex`, which is why the type can be plain
/// `Sendable` without `@unchecked`.
package final class ClientContext: Sendable {
    let logger: Logger
    /// A name for log lines: "producer", "consumer group freeze-relay", …
    let clientName: String
    private let fatal = Mutex<KafkaError?>(nil)
    private let rebalance = Mutex<RebalanceCallbackTarget?>(nil)
    private let starts = Mutex<[TopicPartition: Int64]>([:])

    package init(logger: Logger, clientName: String) {
        self.logger = logger
        self.clientName = clientName
    }

    /// The fatal error raised on this client, if any.
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    func recordFatal(_ error: KafkaError) {
        fatal.withLock { if $0 == nil { $0 = error } }
    }

    func setRebalanceTarget(_ target: RebalanceCallbackTarget?) {
        rebalance.withLock { $0 = target }
    }

    var rebalanceTarget: RebalanceCallbackTarget? { rebalance.withLock { $0 } }

    /// Start offsets the application chose at assignments, kept so that re-assigning (to move a
    /// partition) can start partitions nothing was read from yet at the same place again. An
    /// assignment replaces what was remembered for its partitions (those it gave no start offset
    /// follow the group's committed offset again).
    func rememberStarts(_ chosen: [TopicPartition: Int64], assigned: [TopicPartition]) {
        starts.withLock { remembered in
            for partition in assigned { remembered[partition] = chosen[partition] }
        }
    }

    /// Remembers start offsets set by a move.
    func rememberStarts(_ chosen: [TopicPartition: Int64]) {
        starts.withLock { $0.merge(chosen) { _, new in new } }
    }

    var rememberedStarts: [TopicPartition: Int64] { starts.withLock { $0 } }

    /// Installs the log and error callbacks and the opaque pointer on a configuration.
    /// Returns the retained pointer, which the owner must release after `rd_kafka_destroy`.
    package func install(on conf: OpaquePointer) -> Unmanaged<ClientContext> {
        let retained = Unmanaged.passRetained(self)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf, clientContextLogCallback)
        rd_kafka_conf_set_error_cb(conf, clientContextErrorCallback)
        return retained
    }

    /// Recovers the context from a handle inside a callback.
    static func from(_ rk: OpaquePointer?) -> ClientContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// librdkafka log lines (syslog levels 0–7) go to swift-log with the facility as metadata.
private func clientContextLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ buffer: UnsafePointer<CChar>?
) {
    guard let context = ClientContext.from(rk) else { return }
    let message = buffer.map { String(cString: $0) } ?? ""
    let fac = facility.map { String(cString: $0) } ?? ""
    let swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    context.logger.log(
        level: swiftLevel, "\(message)",
        metadata: ["rdkafka.facility": "\(fac)", "kafka.client": "\(context.clientName)"])
}

/// Client-level errors (broker down, authentication failed, fatal idempotence errors).
/// Most are transient: librdkafka keeps retrying on its own, so they are logged; a fatal error
/// is recorded so the owner can stop using the client.
private func clientContextErrorCallback(
    _ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = ClientContext.from(rk) else { return }
    let code = KafkaError.Code(rawValue: err)
    let text = reason.map { String(cString: $0) } ?? code.text
    if code == .fatal, let rk {
        var errstr = [CChar](repeating: 0, count: 512)
        let original = rd_kafka_fatal_error(rk, &errstr, errstr.count)
        let why = string(fromErrorBuffer: errstr)
        let error = KafkaError(code: KafkaError.Code(original), message: why, isFatal: true, isRetriable: false)
        context.recordFatal(error)
        context.logger.critical(
            "fatal Kafka client error; the client must be recreated",
            metadata: ["error": "\(error)", "kafka.client": "\(context.clientName)"])
        return
    }
    let error = KafkaError(code: code, message: text)
    context.logger.warning(
        "Kafka client error", metadata: ["error": "\(error)", "kafka.client": "\(context.clientName)"])
}

/// Reads a C string buffer filled by librdkafka.
package func string(fromErrorBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
