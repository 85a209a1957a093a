/// How the console is served.
public struct ConsoleSettings: Sendable {
    /// A host name or address (IPv6 without brackets); port 0 lets the system choose.
    public var host: String
    public var port: Int
    public var token: ConsoleToken
    /// Connections served at once; more wait in the listen backlog. Each open board holds one
    /// (its event stream), so this also bounds how many boards can watch live.
    public var maxConnections: Int
    /// How often an open board asks the ledger whether its escalations changed (a cheap read
    /// through the partial index of open escalations).
    public var pollInterval: Duration
    /// An event stream ends after this long; the browser reconnects at once. Bounds what a
    /// forgotten tab holds, and lets a stream notice a changed token.
    public var streamLifetime: Duration
    /// The most escalations the board lists.
    public var boardLimit: Int

    public init(
        host: String, port: Int, token: ConsoleToken, maxConnections: Int = 64,
        pollInterval: Duration = .milliseconds(500), streamLifetime: Duration = .seconds(300), boardLimit: Int = 2_000
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.maxConnections = maxConnections
        self.pollInterval = pollInterval
        self.streamLifetime = streamLifetime
        self.boardLimit = boardLimit
    }
}
