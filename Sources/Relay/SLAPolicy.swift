import Contracts

/// The service levels banks are held to, and how missing them escalates.
public struct SLAPolicy: Sendable, Hashable {
    /// Default response times per priority.
    public var defaults: [Priority: ResponseTimes]
    /// Offsets after a missed deadline at which escalation levels 2, 3, … are raised
    /// (level 1 is raised at the deadline itself). Strictly increasing.
    public var escalationSteps: [Duration]
    /// How long before a bank's hold lapses operators and police are warned.
    public var holdWarning: Duration

    /// The suggested service levels: urgent — acknowledge in 5 min, freeze in 30 min;
    /// normal — 15 min and 2 h; escalate again 15 and 60 minutes after a missed deadline;
    /// warn 12 h before a hold lapses.
    public static let standard = SLAPolicy(
        defaults: [
            .urgent: ResponseTimes(acknowledge: .seconds(5 * 60), freeze: .seconds(30 * 60)),
            .normal: ResponseTimes(acknowledge: .seconds(15 * 60), freeze: .seconds(2 * 3600)),
        ],
        escalationSteps: [.seconds(15 * 60), .seconds(60 * 60)],
        holdWarning: .seconds(12 * 3600)
    )

    public init(defaults: [Priority: ResponseTimes], escalationSteps: [Duration], holdWarning: Duration) {
        self.defaults = defaults
        self.escalationSteps = escalationSteps
        self.holdWarning = holdWarning
    }

    /// The highest escalation level: level 1 plus one per step.
    public var maxLevel: Int { 1 + escalationSteps.count }

    /// Response times for a request of `priority` at a bank with `overrides`.
    public func responseTimes(for priority: Priority, overrides: [Priority: ResponseTimeOverrides] = [:])
        -> ResponseTimes
    {
        let times = defaults[priority] ?? SLAPolicy.standard.defaults[priority]!
        return overrides[priority].map(times.applying) ?? times
    }

    /// When escalation `level` of a missed `deadline` is due; nil past the last level.
    public func dueDate(ofLevel level: Int, after deadline: Timestamp) -> Timestamp? {
        guard level >= 1, level <= maxLevel else { return nil }
        if level == 1 { return deadline }
        return deadline.adding(escalationSteps[level - 2])
    }
}

extension Timestamp {
    /// This instant moved by a duration (to the nanosecond).
    public func adding(_ duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        let nanos = attoseconds / 1_000_000_000
        var total = Int64(nanoseconds) + nanos
        var wholeSeconds = secondsSinceEpoch + seconds
        while total >= 1_000_000_000 {
            total -= 1_000_000_000
            wholeSeconds += 1
        }
        while total < 0 {
            total += 1_000_000_000
            wholeSeconds -= 1
        }
        return Timestamp(secondsSinceEpoch: wholeSeconds, nanoseconds: Int32(total))
    }

    /// This instant without its sub-millisecond part (what the ledger stores).
    public var truncatedToMilliseconds: Timestamp {
        Timestamp(secondsSinceEpoch: secondsSinceEpoch, nanoseconds: nanoseconds - nanoseconds % 1_000_000)
    }

    /// This instant moved back by a duration.
    public func subtracting(_ duration: Duration) -> Timestamp { adding(.zero - duration) }

    /// The duration from this instant to `later` (negative when `later` is earlier).
    public func duration(until later: Timestamp) -> Duration {
        .seconds(later.secondsSinceEpoch - secondsSinceEpoch)
            + .nanoseconds(Int64(later.nanoseconds) - Int64(nanoseconds))
    }
}
