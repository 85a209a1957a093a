import Logging
import Synchronization

/// Writes lines that may repeat by the thousand (one per refused record, one per consumer
/// error) through a `LogFloodGate`: per message and code, the first lines of each window are
/// written as usual, the rest are counted, and when the window ends one line at the same level
/// says how many similar lines were left out:
///
///     level=warning msg="suppressed 9990 similar lines in the last 60 s" repeated="record dead-lettered" code=invalid_json suppressed=9990
///
/// Summaries are written when the next line of any kind arrives after the window, or by
/// `flush()`, which the owner calls from its loop (the daemon's intake, the consumer's poll).
public final class ThrottledLog: Sendable {

    public let logger: Logger
    private let now: @Sendable () -> Duration
    private let state: Mutex<State>

    private struct State {
        var gate: LogFloodGate<Logger.Level>
    }

    /// - Parameter now: the time windows are measured on, as a duration since any fixed origin;
    ///   a monotonic clock unless a test injects its own.
    public init(logger: Logger, maxKeys: Int = 1000, now: (@Sendable () -> Duration)? = nil) {
        self.logger = logger
        let origin = ContinuousClock.now
        self.now = now ?? { ContinuousClock.now - origin }
        self.state = Mutex(State(gate: LogFloodGate(maxKeys: maxKeys)))
    }

    /// Logs `message` unless lines with the same message and `code` already used their
    /// allowance in the current window.
    public func log(
        level: Logger.Level, _ message: String, code: String, allowance: LogAllowance = .standard,
        metadata: @autoclosure () -> Logger.Metadata = [:]
    ) {
        // Below the logger's level nothing would be written: do not count it either.
        guard level >= logger.logLevel else { return }
        let key = LogLineKey(message: message, code: code)
        let time = now()
        let (write, ended) = state.withLock { state in state.gate.admit(key, tag: level, allowance: allowance, at: time)
        }
        writeSummaries(ended)
        if write { logger.log(level: level, "\(message)", metadata: metadata()) }
    }

    public func warning(
        _ message: String, code: String, allowance: LogAllowance = .standard,
        metadata: @autoclosure () -> Logger.Metadata = [:]
    ) {
        log(level: .warning, message, code: code, allowance: allowance, metadata: metadata())
    }

    public func error(
        _ message: String, code: String, allowance: LogAllowance = .standard,
        metadata: @autoclosure () -> Logger.Metadata = [:]
    ) {
        log(level: .error, message, code: code, allowance: allowance, metadata: metadata())
    }

    /// Writes the summaries of the windows that have ended. Cheap when nothing is counted.
    public func flush() {
        let time = now()
        writeSummaries(state.withLock { state in state.gate.close(endedBy: time) })
    }

    /// Writes the summaries of every window, ended or not (at shutdown).
    public func flushAll() {
        writeSummaries(state.withLock { state in state.gate.closeAll() })
    }

    private func writeSummaries(_ summaries: [LogFloodGate<Logger.Level>.Summary]) {
        for summary in summaries {
            let seconds = summary.window.components.seconds
            logger.log(
                level: summary.tag, "suppressed \(summary.suppressed) similar lines in the last \(seconds) s",
                metadata: [
                    "repeated": "\(summary.key.message)", "code": "\(summary.key.code)",
                    "suppressed": "\(summary.suppressed)", "written": "\(summary.written)", "window_s": "\(seconds)",
                ])
        }
    }
}
