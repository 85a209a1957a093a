import Foundation
import Glibc
import UnixSignals

/// Calls a handler for each arrival of the trapped POSIX signals, on a task of its own, for as
/// long as it is alive. Built on swift-service-lifecycle's `UnixSignalsSequence`: from the moment
/// `trapping` returns, the signals' default actions (SIGHUP and SIGUSR1 kill the process) no
/// longer apply. SIGTERM/SIGINT stop the daemon, SIGHUP reloads its configuration, SIGUSR1
/// retries unroutable requests.
final class SignalWatcher: Sendable {
    private let task: Task<Void, Never>

    private init(task: Task<Void, Never>) {
        self.task = task
    }

    deinit {
        task.cancel()
    }

    /// Traps `signals` and hands each arrival to `handler`.
    static func trapping(_ signals: [UnixSignal], _ handler: @escaping @Sendable (UnixSignal) -> Void) async -> SignalWatcher {
        ignoreDefaultActions(signals)
        let arrivals = await UnixSignalsSequence(trapping: signals)
        return SignalWatcher(task: Task {
            for await signal in arrivals {
                handler(signal)
            }
        })
    }

    /// On Linux the sequence's dispatch sources leave the signals' dispositions alone, and a
    /// SIGHUP delivered to a thread that does not block it would still kill the process (seen in
    /// DaemonProcessTests): the default actions are switched off first, as on Darwin.
    private static func ignoreDefaultActions(_ signals: [UnixSignal]) {
        for signal in signals { Glibc.signal(signal.rawValue, SIG_IGN) }
    }

    /// Waits for the first of `signals`.
    static func first(of signals: [UnixSignal]) async -> UnixSignal? {
        ignoreDefaultActions(signals)
        for await signal in await UnixSignalsSequence(trapping: signals) {
            return signal
        }
        return nil
    }
}

/// What the signal handlers act on (the daemon), once it exists. The handlers are installed first
/// thing in `run`, before the configuration is read and the daemon is built (which opens the ledger
/// and the Kafka clients and can take seconds): until then a SIGHUP or SIGUSR1 would kill the
/// process (their default action) and a SIGTERM would skip the clean stop. Signals that arrive
/// before the target exists are kept, in arrival order and once each, and handled when it is
/// attached.
final class SignalTarget<Target: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var target: Target?
    private var pending: [UnixSignal] = []

    /// The target to act on now, or nil when the signal is kept for later.
    func arrived(_ signal: UnixSignal) -> Target? {
        lock.withLock {
            if let target { return target }
            if !pending.contains(signal) { pending.append(signal) }
            return nil
        }
    }

    /// Sets the target and returns the signals that arrived before it, in arrival order.
    func attach(_ target: Target) -> [UnixSignal] {
        lock.withLock {
            self.target = target
            defer { pending = [] }
            return pending
        }
    }
}
