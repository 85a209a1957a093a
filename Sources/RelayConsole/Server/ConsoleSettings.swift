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
    /// Paths answered without the token: the daemon's `/healthz`, `/readyz` and `/metrics` when
    /// the console was asked to share the metrics listener (probes and scrapers have no token).
    /// Empty otherwise: then every path needs the token.
    public var probes: [String: @Sendable () -> ProbeAnswer]

    public init(
        host: String, port: Int, token: ConsoleToken, maxConnections: Int = 64,
        pollInterval: Duration = .milliseconds(500), streamLifetime: Duration = .seconds(300), boardLimit: Int = 2_000,
        probes: [String: @Sendable () -> ProbeAnswer] = [:]
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.maxConnections = maxConnections
        self.pollInterval = pollInterval
        self.streamLifetime = streamLifetime
        self.boardLimit = boardLimit
        self.probes = probes
    }
}

/// What a probe path answers: plain text, no page around it.
public struct ProbeAnswer: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
