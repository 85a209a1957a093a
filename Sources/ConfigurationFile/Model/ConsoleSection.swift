/// The web console (`console:`): read-only pages over the ledger for operators and
/// investigators, on a listener of its own, behind a bearer token read from a file.
public struct ConsoleSection: Sendable, Equatable {
    /// Off unless set: the console shows case data, so exposing it is a decision.
    public var listen: HTTPListen
    /// Where the token was read from (shown by `check-config --print`; the token never is).
    public var tokenFile: String?
    /// The token; nil when no file was given (then the console cannot be on).
    public var token: SecretValue?
    /// Connections served at once (each open escalations board keeps one).
    public var maxConnections: Int
    /// The console takes over http.listen's address (which `listen` must then equal) and
    /// answers `/healthz`, `/readyz` and `/metrics` there without the token, in the place of
    /// the health server. Off by default: probes and scrapers then never reach the console.
    public var shareHTTPListener: Bool

    /// Shorter tokens can be guessed.
    public static let minimumTokenLength = 16

    public init(
        listen: HTTPListen = .off, tokenFile: String? = nil, token: SecretValue? = nil, maxConnections: Int = 64,
        shareHTTPListener: Bool = false
    ) {
        self.listen = listen
        self.tokenFile = tokenFile
        self.token = token
        self.maxConnections = maxConnections
        self.shareHTTPListener = shareHTTPListener
    }

    /// Whether two listeners would claim the same port on an address they share: the same
    /// port, and the same host or either on every address (`0.0.0.0`, `::`). Port 0 is a
    /// different free port each time, so it shares nothing.
    public static func sharePort(_ host: String, _ port: Int, _ otherHost: String, _ otherPort: Int) -> Bool {
        guard port != 0, port == otherPort else { return false }
        let everyAddress: Set<String> = ["0.0.0.0", "::", "*"]
        return host.lowercased() == otherHost.lowercased() || everyAddress.contains(host)
            || everyAddress.contains(otherHost)
    }
}
