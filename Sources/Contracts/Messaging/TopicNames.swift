/// The relay's Kafka topic names: one prefix (default `freeze`) plus optional per-topic overrides.
///
/// Defaults: `freeze.requests`, `freeze.status`, `freeze.escalations`, `freeze.deadletter`,
/// `freeze.bank.<bank_id>.requests`, `freeze.bank.<bank_id>.responses`. Overrides replace a fixed
/// topic's whole name. Per-bank topics follow `<prefix>.bank.<bank_id>.requests|responses`, so the
/// relay can subscribe to all response topics with one pattern; a bank whose topics must be named
/// otherwise gets overrides in the relay's routing table (`BankProfile`).
public struct TopicNames: Sendable, Hashable {
    /// The fixed (not per-bank) topics.
    public enum Topic: String, Sendable, Hashable, CaseIterable {
        /// Police → relay requests and cancels.
        case requests
        /// Relay → police status events.
        case status
        /// Relay → operators escalations.
        case escalations
        /// Relay → operators dead letters.
        case deadletter
    }

    /// The prefix of every default name.
    public let prefix: String
    /// Whole-name overrides of fixed topics.
    public let overrides: [Topic: String]

    /// Validates the prefix and the overrides against Kafka's topic-name rules.
    public init(prefix: String = "freeze", overrides: [Topic: String] = [:]) throws(TopicNameError) {
        // Leave room for ".bank.<32-char bank id>.responses" under Kafka's 249-character limit.
        let longestSuffix = ".bank.".count + 32 + ".responses".count
        guard TopicNames.isLegalTopicName(prefix), prefix.utf8.count + longestSuffix <= 249,
            !prefix.hasPrefix("."), !prefix.hasSuffix(".")
        else { throw .invalidPrefix(prefix) }
        for (topic, name) in overrides where !TopicNames.isLegalTopicName(name) {
            throw .invalidOverride(topic, name)
        }
        self.prefix = prefix
        self.overrides = overrides
    }

    /// The name of a fixed topic.
    public func name(of topic: Topic) -> String {
        overrides[topic] ?? "\(prefix).\(topic.rawValue)"
    }

    /// Police → relay (`freeze.requests`).
    public var requests: String { name(of: .requests) }
    /// Relay → police (`freeze.status`).
    public var status: String { name(of: .status) }
    /// Relay → operators (`freeze.escalations`).
    public var escalations: String { name(of: .escalations) }
    /// Relay → operators (`freeze.deadletter`).
    public var deadletter: String { name(of: .deadletter) }

    /// Relay → bank (`freeze.bank.<bank_id>.requests`).
    public func bankRequests(_ bank: BankID) -> String { "\(prefix).bank.\(bank.rawValue).requests" }

    /// Bank → relay (`freeze.bank.<bank_id>.responses`).
    public func bankResponses(_ bank: BankID) -> String { "\(prefix).bank.\(bank.rawValue).responses" }

    /// Regular expression matching every bank responses topic, for a pattern subscription
    /// (librdkafka treats subscriptions starting with `^` as regular expressions): `^freeze\.bank\.[^.]+\.responses$`.
    /// For tools that watch every bank; the relay itself reads only configured banks' topics, by name.
    public var bankResponsesPattern: String {
        "^\(TopicNames.escapeForRegex(prefix))\\.bank\\.[^.]+\\.responses$"
    }

    /// The bank id in a responses topic name, or `nil` if the name is not one (or holds an invalid bank id).
    public func bankID(fromResponsesTopic topic: String) -> BankID? {
        let head = "\(prefix).bank."
        let tail = ".responses"
        guard topic.hasPrefix(head), topic.hasSuffix(tail), topic.count > head.count + tail.count else { return nil }
        let middle = topic.dropFirst(head.count).dropLast(tail.count)
        return try? BankID(String(middle))
    }

    /// Kafka's rule: 1–249 characters from `A–Z a–z 0–9 . _ -`, and not `.` or `..`.
    public static func isLegalTopicName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...249).contains(bytes.count), name != ".", name != ".." else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Of the characters legal in topic names only `.` is special in a regular expression.
    private static func escapeForRegex(_ text: String) -> String {
        text.replacingOccurrences(of: ".", with: "\\.")
    }
}

/// Why a topic configuration was refused.
public enum TopicNameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The prefix is not a legal topic-name fragment, or too long for per-bank topics.
    case invalidPrefix(String)
    /// An override is not a legal topic name.
    case invalidOverride(TopicNames.Topic, String)

    /// Plain-words reason.
    public var description: String {
        switch self {
        case .invalidPrefix(let prefix):
            return
                "topic prefix \"\(prefix)\" must use only A-Z a-z 0-9 . _ -, not start or end with '.', and be at most 201 characters"
        case .invalidOverride(let topic, let name):
            return "topic override for \(topic.rawValue), \"\(name)\", is not a legal Kafka topic name"
        }
    }
}
