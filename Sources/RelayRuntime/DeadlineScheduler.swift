import Contracts
import Foundation
import Ledger
import Relay

/// What firing one timer did.
public struct FiredDeadline: Sendable, Hashable {
    public var deadline: Deadline
    public var outcome: Outcome
    /// How late the timer fired: now − due time (after downtime this is large).
    public var lateness: Duration
}

/// Fires durable timers. It sleeps until the earliest open timer is due (read through an index,
/// so the cost does not grow with the number of open timers beyond a log factor) or until new
/// timers are scheduled, then fires everything due, in due order, each firing in the same
/// transaction that marks the timer spent — so a timer fires once, across restarts too.
final class DeadlineScheduler: Sendable {
    let ledger: Ledger
    let policies: PolicyHolder
    let clock: any RelayClock
    let onFired: @Sendable ([FiredDeadline]) -> Void
    /// Where firing (a ledger transaction) runs, off the cooperative pool.
    let lane: BlockingLane
    private let waker = Waker()
    /// Timers fired per transaction.
    private let batchSize = 200

    init(
        ledger: Ledger, policies: PolicyHolder, clock: any RelayClock,
        lane: BlockingLane = BlockingLane(label: "freeze-relay.deadlines"),
        onFired: @escaping @Sendable ([FiredDeadline]) -> Void
    ) {
        self.lane = lane
        self.ledger = ledger
        self.policies = policies
        self.clock = clock
        self.onFired = onFired
    }

    /// Re-reads the next due time (call after new timers were written).
    func nudge() { waker.signal() }

    /// Fires every timer due now; returns them in firing order. `afterBatch` runs after each
    /// committed transaction, so the publisher can send its events while the next batch fires.
    @discardableResult
    func fireDue(afterBatch: ([PendingMessage]) -> Void = { _ in }) throws -> [FiredDeadline] {
        var all: [FiredDeadline] = []
        while true {
            let engine = policies.engine
            let now = clock.now()
            let (fired, queued): ([FiredDeadline], [PendingMessage]) = try ledger.write { tx in
                var fired: [FiredDeadline] = []
                for deadline in try tx.dueDeadlines(at: now, limit: batchSize) {
                    let context = RelayEngine.RequestContext(
                        record: try tx.request(deadline.requestID),
                        openEscalations: try tx.openEscalations(of: deadline.requestID))
                    let effects = engine.fire(deadline, context: context, now: now)
                    // The relay's own bug here (an event its contract refuses, an id already queued
                    // for another event) stays fatal, unlike in intake: there is no record to
                    // dead-letter in its place, and a timer must not be marked fired unheard.
                    try tx.commit(effects, cause: .timer(deadline), policy: engine.policy, at: now)
                    try tx.markFired(deadline, at: now)
                    fired.append(
                        FiredDeadline(
                            deadline: deadline, outcome: effects.outcome, lateness: deadline.dueAt.duration(until: now))
                    )
                }
                return (fired, tx.queuedEvents)
            }
            all += fired
            if !fired.isEmpty {
                afterBatch(queued)
                onFired(fired)
            }
            // Firing can schedule the next level, itself already due after a long downtime.
            if fired.isEmpty { return all }
        }
    }

    /// Runs until the task is cancelled.
    func run(afterFiring: @escaping @Sendable ([PendingMessage]) -> Void, onFailure: @Sendable (any Error) -> Void)
        async
    {
        while !Task.isCancelled {
            do {
                // Asked first through a read: intake nudges the scheduler after every batch, and an
                // empty write transaction on the ledger lane each time would hold intake up.
                let next = try ledger.nextDeadlineDue()
                if let next, next <= clock.now() {
                    _ = try await lane.run({ try self.fireDue(afterBatch: afterFiring) })
                    continue
                }
                await waker.wait(until: next, clock: clock)
            } catch {
                onFailure(error)
                return
            }
        }
    }
}
