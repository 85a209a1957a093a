import CRdKafka

/// Every failure reported by librdkafka, as one Swift error type.
///
/// The `code` keeps librdkafka's numeric error code and its symbolic name (for example
/// `NOT_LEADER_FOR_PARTITION` or `_MSG_TIMED_OUT`; names starting with an underscore are
/// client-side errors). `isFatal` means the client instance can no longer be used and must be
/// recreated (for instance an idempotent producer that lost its guarantees); `isRetriable` means
/// the same operation may succeed if simply tried again later.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A librdkafka error code (`rd_kafka_resp_err_t`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        package var c: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's symbolic name for the code, e.g. `REQUEST_TIMED_OUT`.
        public var name: String { String(cString: rd_kafka_err2name(c)) }
        /// librdkafka's human-readable text for the code.
        public var text: String { String(cString: rd_kafka_err2str(c)) }
        public var description: String { name }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        public static let networkException = Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        public static let groupAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED)
        public static let messageTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        public static let purgedQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        public static let purgedInFlight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)

        /// Codes that describe a passing condition of the cluster or the network.
        static let retriableCodes: Set<Code> = [
            .notLeaderForPartition, .requestTimedOut, .leaderNotAvailable, .notEnoughReplicas,
            Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND), .networkException,
            .unknownTopicOrPartition, Code(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR),
            Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE), Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR),
            Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS), Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS),
            .messageTimedOut, .queueFull, .transport, .allBrokersDown, .timedOut,
            Code(RD_KAFKA_RESP_ERR__RESOLVE), Code(RD_KAFKA_RESP_ERR__WAIT_COORD),
            Code(RD_KAFKA_RESP_ERR__IN_PROGRESS), Code(RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE),
            .purgedQueue, .purgedInFlight,
        ]
    }

    /// The librdkafka error code.
    public let code: Code

    /// The broker (or the client's own limits) will refuse this message however often it is sent:
    /// too large, or not a valid record. Retrying cannot help; only a change of limits can.
    public var rejectsMessageForGood: Bool {
        [
            Code.messageTooLarge, Code(RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE), Code(RD_KAFKA_RESP_ERR_INVALID_RECORD),
            Code(RD_KAFKA_RESP_ERR_INVALID_MSG),
        ].contains(code)
    }
    /// What went wrong, as librdkafka or this layer described it.
    public let message: String
    /// The client instance is unusable after this error and must be recreated.
    public let isFatal: Bool
    /// Trying the same operation again later may succeed.
    public let isRetriable: Bool

    public init(code: Code, message: String? = nil, isFatal: Bool? = nil, isRetriable: Bool? = nil) {
        self.code = code
        self.message = message ?? code.text
        self.isFatal = isFatal ?? (code == .fatal)
        self.isRetriable = isRetriable ?? Code.retriableCodes.contains(code)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: Code(rd_kafka_error_code(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0
                || Code.retriableCodes.contains(Code(rd_kafka_error_code(error)))
        )
    }

    /// An error raised by this layer itself (bad arguments, closed client), not by librdkafka.
    package static func usage(_ message: String) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message, isFatal: false, isRetriable: false)
    }

    /// Throws when `err` is not `NO_ERROR`.
    package static func check(_ err: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let code = Code(err)
        throw KafkaError(code: code, message: "\(context()): \(code.text)")
    }

    public var description: String {
        var flags: [String] = []
        if isFatal { flags.append("fatal") }
        if isRetriable { flags.append("retriable") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "Kafka error \(code.name): \(message)\(suffix)"
    }
}
