import Contracts

/// The global deadlines and escalation timing.
public struct SLASettings: Sendable, Equatable {
    public var urgent: ResponseTimes
    public var normal: ResponseTimes
    /// Later escalation levels, as offsets after the missed deadline; strictly increasing.
    public var escalationSteps: [Duration]
    /// How long before a bank's hold lapses the relay warns.
    public var holdWarning: Duration

    public init(
        urgent: ResponseTimes = ResponseTimes(acknowledge: .seconds(5 * 60), freeze: .seconds(30 * 60)),
        normal: ResponseTimes = ResponseTimes(acknowledge: .seconds(15 * 60), freeze: .seconds(2 * 3600)),
        escalationSteps: [Duration] = [.seconds(15 * 60), .seconds(60 * 60)],
        holdWarning: Duration = .seconds(12 * 3600)
    ) {
        self.urgent = urgent
        self.normal = normal
        self.escalationSteps = escalationSteps
        self.holdWarning = holdWarning
    }

    /// The windows for `priority`.
    public func windows(for priority: Priority) -> ResponseTimes {
        switch priority {
        case .urgent: urgent
        case .normal: normal
        }
    }
}

/// A bank's SLA overrides, per priority, any subset.
public struct BankSLAOverrides: Sendable, Equatable {
    public var urgent: ResponseTimeOverrides
    public var normal: ResponseTimeOverrides

    public init(
        urgent: ResponseTimeOverrides = ResponseTimeOverrides(), normal: ResponseTimeOverrides = ResponseTimeOverrides()
    ) {
        self.urgent = urgent
        self.normal = normal
    }

    /// The overrides for `priority`.
    public func overrides(for priority: Priority) -> ResponseTimeOverrides {
        switch priority {
        case .urgent: urgent
        case .normal: normal
        }
    }
}
