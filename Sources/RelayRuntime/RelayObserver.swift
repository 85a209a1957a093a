import Ledger
import RelayKafka
import Synchronization

/// Hooks for whoever watches the relay (metrics, the demo's live summary, tests). Every hook is
/// called after the corresponding change is durable.
public final class RelayObserver: Sendable {
    public typealias Hooks = (
        applied: @Sendable ([IntakeOutcome]) -> Void,
        deadlinesFired: @Sendable ([FiredDeadline]) -> Void,
        published: @Sendable (PublishRound, [OutboxMessage]) -> Void,
        rebalanced: @Sendable (RebalanceEvent) -> Void
    )

    private let hooks: Mutex<[Hooks]> = Mutex([])

    public init() {}

    /// Adds a set of hooks.
    public func add(
        applied: @escaping @Sendable ([IntakeOutcome]) -> Void = { _ in },
        deadlinesFired: @escaping @Sendable ([FiredDeadline]) -> Void = { _ in },
        published: @escaping @Sendable (PublishRound, [OutboxMessage]) -> Void = { _, _ in },
        rebalanced: @escaping @Sendable (RebalanceEvent) -> Void = { _ in }
    ) {
        hooks.withLock { $0.append((applied, deadlinesFired, published, rebalanced)) }
    }

    func applied(_ outcomes: [IntakeOutcome]) { for hook in hooks.withLock({ $0 }) { hook.applied(outcomes) } }
    func deadlinesFired(_ fired: [FiredDeadline]) { for hook in hooks.withLock({ $0 }) { hook.deadlinesFired(fired) } }
    func published(_ round: PublishRound, _ sent: [OutboxMessage]) {
        for hook in hooks.withLock({ $0 }) { hook.published(round, sent) }
    }
    func rebalanced(_ event: RebalanceEvent) { for hook in hooks.withLock({ $0 }) { hook.rebalanced(event) } }
}
