import Relay
import Synchronization

/// The current relay policy, replaceable at runtime (SIGHUP reloads the routing table and SLA
/// settings). Each batch reads it once, so one batch is decided under one policy.
final class PolicyHolder: Sendable {
    private let current: Mutex<RelayPolicy>

    init(_ policy: RelayPolicy) { current = Mutex(policy) }

    var policy: RelayPolicy { current.withLock { $0 } }

    func replace(with policy: RelayPolicy) { current.withLock { $0 = policy } }

    var engine: RelayEngine { RelayEngine(policy: policy) }
}
