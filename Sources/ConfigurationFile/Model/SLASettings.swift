import Contracts

/// The deadlines a bank has for one priority, measured from when the request was sent.
public struct SLAWindows: Sendable, Equatable {
    /// Time to acknowledge receipt.
    public var acknowledge: Duration
    /// Time to report the freeze done; never shorter than `acknowledge`.
    public var freeze: Duration

    public init(acknowledge: Duration, freeze: Duration) {
        self.acknowledge = acknowledge
        self.freeze = freeze
    }

    /// These windows with whatever `overrides` sets replaced.
    public func applying(_ overrides: SLAWindowOverrides) -> SLAWindows {
        SLAWindows(acknowledge: overrides.acknowledge ?? acknowledge, freeze: overrides.freeze ?? freeze)
    }
}

/// The global deadlines and escalation timing.
public struct SLASettings: Sendable, Equatable {
    public var urgent: SLAWindows
    public var normal: SLAWindows
    /// Later escalation levels, as offsets after the missed deadline; strictly increasing.
    public var escalationSteps: [Duration]
    /// How long before a bank's hold lapses the relay warns.
    public var holdWarning: Duration

    public init(
        urgent: SLAWindows = SLAWindows(acknowledge: .seconds(5 * 60), freeze: .seconds(30 * 60)),
        normal: SLAWindows = SLAWindows(acknowledge: .seconds(15 * 60), freeze: .seconds(2 * 3600)),
        escalationSteps: [Duration] = [.seconds(15 * 60), .seconds(60 * 60)],
        holdWarning: Duration = .seconds(12 * 3600)
    ) {
        self.urgent = urgent
        self.normal = normal
        self.escalationSteps = escalationSteps
        self.holdWarning = holdWarning
    }

    /// The windows for `priority`.
    public func windows(for priority: Priority) -> SLAWindows {
        switch priority {
        case .urgent: urgent
        case .normal: normal
        }
    }
}

/// A bank's overrides of one priority's windows; `nil` keeps the global value.
public struct SLAWindowOverrides: Sendable, Equatable {
    public var acknowledge: Duration?
    public var freeze: Duration?

    public init(acknowledge: Duration? = nil, freeze: Duration? = nil) {
        self.acknowledge = acknowledge
        self.freeze = freeze
    }

    /// Whether this overrides nothing.
    public var isEmpty: Bool { acknowledge == nil && freeze == nil }
}

/// A bank's SLA overrides, per priority, any subset.
public struct BankSLAOverrides: Sendable, Equatable {
    public var urgent: SLAWindowOverrides
    public var normal: SLAWindowOverrides

    public init(urgent: SLAWindowOverrides = SLAWindowOverrides(), normal: SLAWindowOverrides = SLAWindowOverrides()) {
        self.urgent = urgent
        self.normal = normal
    }

    /// The overrides for `priority`.
    public func overrides(for priority: Priority) -> SLAWindowOverrides {
        switch priority {
        case .urgent: urgent
        case .normal: normal
        }
    }
}
