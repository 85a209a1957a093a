/// Whether the relay can do its job right now, and if not, every reason why.
public struct HealthReport: Sendable, Hashable {
    /// False until the background health check finished once: broker and ledger not checked yet.
    public var checked: Bool = true
    public var brokerReachable: Bool
    public var ledgerWritable: Bool
    public var outboxBacklog: Int?
    public var maxOutboxBacklog: Int
    /// Set when the relay stopped by itself.
    public var failure: String?
    /// Partitions intake stopped reading, each with its reason.
    public var haltedPartitions: [String] = []
    /// Why intake is not keeping up, when it is not.
    public var intakeStall: String?

    public var reasons: [String] {
        var reasons: [String] = []
        if let failure { reasons.append("intake stopped: \(failure)") }
        for halt in haltedPartitions { reasons.append("intake halted on \(halt); re-base it with freeze-relay rebase") }
        if let intakeStall { reasons.append(intakeStall) }
        if !checked {
            reasons.append("starting: the first check of broker and ledger has not finished")
        } else {
            if !brokerReachable { reasons.append("broker unreachable") }
            if !ledgerWritable { reasons.append("ledger not writable") }
        }
        if let backlog = outboxBacklog, backlog > maxOutboxBacklog {
            reasons.append("outbox backlog \(backlog) over limit \(maxOutboxBacklog)")
        }
        return reasons
    }

    public var isReady: Bool { reasons.isEmpty }
}
