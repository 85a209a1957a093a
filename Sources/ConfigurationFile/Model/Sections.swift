/// Topic names as configured: a prefix plus optional full-name overrides. The contracts
/// target derives the actual names (`<prefix>.requests`, `<prefix>.bank.<id>.requests`, …).
public struct TopicSettings: Sendable, Equatable {
    public var prefix: String
    public var requests: String?
    public var status: String?
    public var escalations: String?
    public var deadletter: String?

    public init(
        prefix: String = "freeze",
        requests: String? = nil,
        status: String? = nil,
        escalations: String? = nil,
        deadletter: String? = nil
    ) {
        self.prefix = prefix
        self.requests = requests
        self.status = status
        self.escalations = escalations
        self.deadletter = deadletter
    }
}

/// How hard the ledger pushes each commit to disk.
public enum LedgerDurability: String, Sendable, Equatable, CaseIterable {
    /// Every commit reaches the disk before it returns (SQLite `synchronous=FULL`).
    case full
    /// Commits may be lost on power failure, never corrupted (SQLite `synchronous=NORMAL`).
    case normal
}

/// Where the SQLite ledger lives, and how much of refused records it keeps.
public struct LedgerSettings: Sendable, Equatable {
    /// `max_dead_letter_bytes` accepts 1 MiB to 1 TiB: below, even the dead letters' minimal
    /// forms would not fit; above is a typo.
    public static let deadLetterBytesRange: ClosedRange<Int64> = (1 << 20)...(1 << 40)

    /// Relative paths are relative to the daemon's working directory.
    public var path: String
    public var durability: LedgerDurability
    /// `purge` removes sent dead letters older than this (unsent ones never).
    public var deadLetterRetention: Duration
    /// The daemon keeps the dead letters' stored payloads under this many bytes by replacing
    /// the oldest ones' content with a minimal form (id, source, reason).
    public var maxDeadLetterBytes: Int64

    public init(
        path: String = "./data/freeze-relay.sqlite", durability: LedgerDurability = .full,
        deadLetterRetention: Duration = .seconds(30 * 86_400), maxDeadLetterBytes: Int64 = 256 << 20
    ) {
        self.path = path
        self.durability = durability
        self.deadLetterRetention = deadLetterRetention
        self.maxDeadLetterBytes = maxDeadLetterBytes
    }
}

/// How far the relay follows money moved on from a frozen account.
public struct ChainSettings: Sendable, Equatable {
    /// Hops followed from the first account (1...64).
    public var maxHops: Int
    /// Onward transfers followed from one bank answer (1...1000).
    public var maxChildrenPerAnswer: Int
    /// Transfers below this amount are not followed, as a plain decimal string (`"0"`,
    /// `"1000.50"`); the contracts target owns the money type.
    public var minAmount: String

    public init(maxHops: Int = 8, maxChildrenPerAnswer: Int = 50, minAmount: String = "0") {
        self.maxHops = maxHops
        self.maxChildrenPerAnswer = maxChildrenPerAnswer
        self.minAmount = minAmount
    }
}

/// The transactional outbox that publishes ledger events to Kafka.
public struct OutboxSettings: Sendable, Equatable {
    /// Readiness fails while more events than this wait to be published.
    public var maxBacklog: Int
    /// Events published per batch.
    public var publishBatch: Int

    public init(maxBacklog: Int = 10_000, publishBatch: Int = 500) {
        self.maxBacklog = maxBacklog
        self.publishBatch = publishBatch
    }
}

/// How incoming requests are consumed.
public struct IntakeSettings: Sendable, Equatable {
    /// Records per poll and per ledger transaction.
    public var batchSize: Int
    /// Readiness fails when records wait on assigned partitions but nothing has been applied for
    /// this long, or when no partition has been assigned for this long.
    public var stallTimeout: Duration

    public init(batchSize: Int = 2_000, stallTimeout: Duration = .seconds(60)) {
        self.batchSize = batchSize
        self.stallTimeout = stallTimeout
    }
}

/// Where the HTTP endpoint (health, readiness, metrics) listens.
public enum HTTPListen: Sendable, Equatable, CustomStringConvertible {
    /// No HTTP endpoint.
    case off
    /// `host` is a name or address (IPv6 without brackets); port 0 lets the system choose.
    case address(host: String, port: Int)

    /// `off`, `127.0.0.1:9464` or `[::1]:9464`: the form the file uses.
    public var description: String {
        switch self {
        case .off: "off"
        case .address(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// The HTTP endpoint.
public struct HTTPSettings: Sendable, Equatable {
    public var listen: HTTPListen

    public init(listen: HTTPListen = .address(host: "127.0.0.1", port: 9464)) {
        self.listen = listen
    }
}

/// Log levels, named as swift-log names them.
public enum LogLevel: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// How log lines are written.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// `key=value` pairs, for people reading a terminal.
    case logfmt
    /// One JSON object per line, for log collectors.
    case json
}

/// Logging.
public struct LoggingSettings: Sendable, Equatable {
    public var level: LogLevel
    public var format: LogFormat

    public init(level: LogLevel = .info, format: LogFormat = .logfmt) {
        self.level = level
        self.format = format
    }
}

/// The `account_links` section: how far back a request is linked to other cases that named
/// its account (their open requests always link).
public struct AccountLinkSettings: Sendable, Equatable {
    /// nil: `off`, no links.
    public var window: Duration?

    public init(window: Duration? = .seconds(90 * 86_400)) {
        self.window = window
    }
}
