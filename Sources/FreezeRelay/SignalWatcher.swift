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
