// One type for the configuration (which reads and checks the times) and the relay's SLA policy
// (which applies them), so the two cannot drift apart.

/// How long a bank has to answer, per priority.
public struct ResponseTimes: Sendable, Hashable {
    /// Time from routing to the bank's first answer.
    public var acknowledge: Duration
    /// Time from routing to the bank's final answer (frozen, rejected, not found, moved).
    public var freeze: Duration

    public init(acknowledge: Duration, freeze: Duration) {
        self.acknowledge = acknowledge
        self.freeze = freeze
    }

    /// These times with whatever `overrides` sets replaced.
    public func applying(_ overrides: ResponseTimeOverrides) -> ResponseTimes {
        ResponseTimes(acknowledge: overrides.acknowledge ?? acknowledge, freeze: overrides.freeze ?? freeze)
    }
}

/// Per-bank exceptions to the default response times; any subset may be set.
public struct ResponseTimeOverrides: Sendable, Hashable {
    public var acknowledge: Duration?
    public var freeze: Duration?

    public init(acknowledge: Duration? = nil, freeze: Duration? = nil) {
        self.acknowledge = acknowledge
        self.freeze = freeze
    }

    /// Whether this overrides nothing.
    public var isEmpty: Bool { acknowledge == nil && freeze == nil }
}
