import Dispatch
import Foundation

/// Runs handlers for POSIX signals on a background queue for as long as it is alive.
/// SIGTERM/SIGINT stop the daemon, SIGHUP reloads its configuration, SIGUSR1 retries unroutable requests.
///
/// `@unchecked Sendable`: Dispatch's signal sources are not `Sendable`; they are only kept
/// alive here, appended under `lock` and never read.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "freeze-relay.signals")

    func on(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        default: "signal \(number)"
        }
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
    private var pending: [Int32] = []

    /// The target to act on now, or nil when the signal is kept for later.
    func arrived(_ signal: Int32) -> Target? {
        lock.withLock {
            if let target { return target }
            if !pending.contains(signal) { pending.append(signal) }
            return nil
        }
    }

    /// Sets the target and returns the signals that arrived before it, in arrival order.
    func attach(_ target: Target) -> [Int32] {
        lock.withLock {
            self.target = target
            defer { pending = [] }
            return pending
        }
    }
}
