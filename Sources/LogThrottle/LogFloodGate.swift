/// What makes two log lines "similar": the message and a reason or error code.
public struct LogLineKey: Hashable, Sendable {
    public var message: String
    public var code: String

    public init(message: String, code: String) {
        self.message = message
        self.code = code
    }
}

/// How many lines of one kind are written per window.
public struct LogAllowance: Hashable, Sendable {
    public var lines: Int
    public var window: Duration

    public init(lines: Int, window: Duration) {
        self.lines = max(1, lines)
        self.window = max(window, .milliseconds(1))
    }

    /// 10 lines a minute: enough to see what is happening, never a flood.
    public static let standard = LogAllowance(lines: 10, window: .seconds(60))
}

/// Decides which of many similar log lines get written: per kind of line (its `LogLineKey`), the first
/// `LogAllowance.lines` of each window are written, the rest are only counted, and when the window
/// ends its count comes back as a `Summary` for one line saying how many were left out.
///
/// Pure: time is passed in (as a duration since any fixed origin), nothing is written here, so
/// the whole behaviour is a function of the calls made. `ThrottledLog` is the shell that logs.
/// `Tag` travels with each window to its summary (the shell passes the lines' log level).
public struct LogFloodGate<Tag: Sendable>: Sendable {
    /// A window that ended with lines left out.
    public struct Summary: Sendable {
        public var key: LogLineKey
        /// The tag of the window's last line.
        public var tag: Tag
        /// Lines counted but not written.
        public var suppressed: Int
        /// Lines written in the window.
        public var written: Int
        /// The window's length.
        public var window: Duration
    }

    private struct Window {
        var start: Duration
        var allowance: LogAllowance
        var tag: Tag
        var written = 0
        var suppressed = 0

        var end: Duration { start + allowance.window }
    }

    /// Where lines of new kinds go once `maxKeys` kinds are being counted, so that the gate's
    /// memory stays bounded whatever the callers pass as keys.
    public static var overflowKey: LogLineKey {
        LogLineKey(message: "log lines of other kinds", code: "too_many_kinds")
    }

    private var windows: [LogLineKey: Window] = [:]
    /// The most kinds of lines counted at once.
    public let maxKeys: Int

    public init(maxKeys: Int = 1000) {
        self.maxKeys = max(1, maxKeys)
    }

    /// Whether the line of `key` seen at `now` is written, and the summaries of every window that
    /// had ended by `now` (which the caller writes first).
    public mutating func admit(_ key: LogLineKey, tag: Tag, allowance: LogAllowance = .standard, at now: Duration) -> (
        write: Bool, ended: [Summary]
    ) {
        let ended = close(endedBy: now)
        var key = key
        if windows[key] == nil, windows.count >= maxKeys { key = Self.overflowKey }
        var window = windows[key] ?? Window(start: now, allowance: allowance, tag: tag)
        window.tag = tag
        let write = window.written < window.allowance.lines
        if write { window.written += 1 } else { window.suppressed += 1 }
        windows[key] = window
        return (write, ended)
    }

    /// The summaries of the windows that ended by `now`, in the order they ended; those windows
    /// are forgotten, so the next line of their key starts a new one. Windows in which nothing
    /// was left out end silently.
    public mutating func close(endedBy now: Duration) -> [Summary] {
        guard !windows.isEmpty else { return [] }
        let ended = windows.filter { $0.value.end <= now }
        for key in ended.keys { windows[key] = nil }
        return Self.summaries(ended)
    }

    /// Ends every window at once (at shutdown), returning the summaries of those with lines left out.
    public mutating func closeAll() -> [Summary] {
        defer { windows = [:] }
        return Self.summaries(windows)
    }

    /// Kinds of lines currently counted.
    public var openWindows: Int { windows.count }

    private static func summaries(_ windows: [LogLineKey: Window]) -> [Summary] {
        windows.filter { $0.value.suppressed > 0 }
            .sorted { ($0.value.end, $0.key.message, $0.key.code) < ($1.value.end, $1.key.message, $1.key.code) }
            .map {
                Summary(
                    key: $0.key, tag: $0.value.tag, suppressed: $0.value.suppressed, written: $0.value.written,
                    window: $0.value.allowance.window)
            }
    }
}
