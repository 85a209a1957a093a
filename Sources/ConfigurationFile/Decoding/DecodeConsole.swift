/// The `console` section: the web console's listener and its access token.
enum ConsoleKeys {
    static let all = ["listen", "token_file", "max_connections", "share_http_listener"]
}

extension ConfigurationDecoder {
    func decodeConsole(_ section: Section, http: HTTPSettings) -> ConsoleSection {
        var console = ConsoleSection()
        if let listen = section.listen("listen") { console.listen = listen }
        if let connections = section.int("max_connections", in: 1...10_000) { console.maxConnections = connections }
        if let share = section.bool("share_http_listener") { console.shareHTTPListener = share }
        if let file = section.nonEmptyString("token_file") {
            console.tokenFile = file
            let path = section.path.key("token_file")
            let source = section.value("token_file")?.source
            if let token = readSecretFile(file, at: path, source: source) {
                if token.revealed.count < ConsoleSection.minimumTokenLength {
                    log.error(
                        path, source,
                        "the token in \(file) is too short: at least \(ConsoleSection.minimumTokenLength) characters "
                            + "(e.g. openssl rand -hex 32)")
                } else {
                    console.token = token
                }
            }
        }
        guard case .address(let host, let port) = console.listen else { return console }
        if console.tokenFile == nil {
            log.error(
                section.path.key("token_file"), section.value("listen")?.source,
                "required when console.listen is set: the console answers nothing without its token")
        }
        if console.shareHTTPListener {
            if console.listen != http.listen || port == 0 {
                log.error(
                    section.path.key("share_http_listener"), section.value("share_http_listener")?.source,
                    "needs console.listen to be http.listen's address exactly (\(http.listen)), not port 0: "
                        + "the console then answers /healthz, /readyz and /metrics there in the health server's place")
            }
        } else if case .address(let httpHost, let httpPort) = http.listen,
            ConsoleSection.sharePort(host, port, httpHost, httpPort)
        {
            log.error(
                section.path.key("listen"), section.value("listen")?.source,
                "\(console.listen) is the metrics listener's (http.listen \(http.listen)); "
                    + "give the console a port of its own, or set console.share_http_listener: true")
        }
        return console
    }
}

extension Section {
    /// A listener: `host:port` (`[::1]:port` for IPv6, a host name too), or `off`.
    func listen(_ key: String) -> HTTPListen? {
        // Unquoted, YAML 1.1 reads `off` as the boolean false; that is what the user meant.
        if case .scalar(let scalar) = value(key), scalar.kind == .boolean(false) { return .off }
        guard let tree = value(key), let text = Read.nonEmptyString(tree, at: path.key(key), log: log) else {
            return nil
        }
        if text == "off" { return .off }
        switch Formats.hostAndPort(text) {
        case .success((let host, let port)): return .address(host: host, port: port)
        case .failure(let error):
            log.error(path.key(key), tree.source, error.message + ", or \"off\"")
            return nil
        }
    }
}
