import Dispatch
import Foundation
import Glibc
import Synchronization

/// A response of the health listener.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A minimal HTTP/1.1 listener for `/healthz`, `/readyz` and `/metrics`: GET only, one request
/// per connection, each served on a thread of its own, at most `maxConnections` at once. Probes and scrapes
/// are a few per minute, so this keeps a web framework (and its build time) out of the daemon.
///
/// The host is anything `http.listen` accepts: an IPv4 or IPv6 literal, or a host name. A name
/// is resolved, and every address it has is bound (`localhost` is usually both `127.0.0.1` and
/// `::1`), all on the same port.
///
/// `@unchecked Sendable`: the listening descriptors are set once in `init` and closed once, guarded by `closed`.
public final class HealthServer: @unchecked Sendable {
    public typealias Handler = @Sendable () -> HTTPResponse

    /// The port actually bound (useful with port 0).
    public let port: UInt16
    /// The addresses listened on, as `address:port` (`[address]:port` for IPv6).
    public let boundAddresses: [String]
    private let listeners: [Int32]
    private let routes: [String: Handler]
    private let closed = Mutex(false)
    /// Where connections are served, each blocking its own thread for at most a few seconds
    /// (`maxConnections` at once).
    private let connectionQueue = DispatchQueue(label: "freeze-relay.health-http.connections", attributes: .concurrent)
    private let connections = Mutex(0)
    /// The errno of the last failed accept, 0 if none (for diagnostics).
    private let acceptError = Mutex<Int32>(0)
    var lastAcceptError: Int32 { acceptError.withLock { $0 } }
    /// Connections served at once; more are answered 503 at once and closed, so that a flood of
    /// connections cannot exhaust the daemon's threads.
    let maxConnections: Int
    /// How long a connection may take to send its request before it is closed (whole seconds).
    let requestTimeoutSeconds: Int

    /// Binds `host:port` and starts serving. `requestTimeout`: how long a client may take to send
    /// its request (tests hold connections open longer than the default 5 s).
    public init(
        host: String, port: UInt16, maxConnections: Int = 32, requestTimeout: Duration = .seconds(5),
        routes: [String: Handler]
    ) throws {
        self.routes = routes
        self.maxConnections = max(maxConnections, 1)
        self.requestTimeoutSeconds = max(1, Int(requestTimeout.components.seconds))
        let addresses = try ListenAddress.resolve(host: host, port: port)
        var fds: [Int32] = []
        var bound: [String] = []
        var actualPort = port
        do {
            for address in addresses {
                // With port 0 the first socket picks the port; the others take the same one.
                guard let fd = try address.listen(port: actualPort, siblings: addresses.count > 1) else { continue }
                fds.append(fd)
                if actualPort == 0 { actualPort = ListenAddress.localPort(of: fd) }
                bound.append(address.display(port: actualPort))
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        guard !fds.isEmpty else {
            throw HealthServerError(
                message:
                    "http.listen: none of the addresses of \(host) can be used on this machine (\(addresses.map { $0.text }.joined(separator: ", ")))"
            )
        }
        self.port = actualPort
        self.listeners = fds
        self.boundAddresses = bound
        for fd in fds {
            // A serial queue of its own per listener: its thread blocks in accept for the
            // server's lifetime, off Swift's cooperative pool.
            DispatchQueue(label: "freeze-relay.health-http.accept").async { [self] in acceptLoop(fd) }
        }
    }

    public func close() {
        let wasClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosed else { return }
        for listener in listeners {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
        }
    }

    /// Connections being served now.
    var openConnections: Int { connections.withLock { $0 } }

    private func acceptLoop(_ listener: Int32) {
        while !closed.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                let code = errno
                acceptError.withLock { $0 = code }
                if code == EINTR || code == ECONNABORTED || code == EMFILE || code == ENFILE {
                    // Out of descriptors: wait a moment rather than spin.
                    if code == EMFILE || code == ENFILE { usleep(50_000) }
                    continue
                }
                return
            }
            // (accept4 with SOCK_CLOEXEC is not visible from Swift's Glibc module.)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let admitted = connections.withLock { count in
                guard count < maxConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                refuse(client)
                continue
            }
            connectionQueue.async { [self] in
                defer { connections.withLock { $0 -= 1 } }
                serve(client)
            }
        }
    }

    /// Answers a connection over the limit without reading it: a short 503 that cannot block
    /// the accepting thread (non-blocking send; whatever does not fit is dropped).
    private func refuse(_ client: Int32) {
        let body = "too many connections; try again\n"
        let text =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\nRetry-After: 1\r\n\r\n" + body
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        Glibc.close(client)
    }

    private func serve(_ client: Int32) {
        defer { Glibc.close(client) }
        var timeout = timeval(tv_sec: requestTimeoutSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Read until the end of the headers; bodies are not accepted.
        while request.count < 16_384, !request.ends(with: [13, 10, 13, 10]) {
            let count = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let response: HTTPResponse
        if line.count < 2 {
            response = HTTPResponse(status: 400, body: "bad request\n")
        } else if line[0] != "GET" && line[0] != "HEAD" {
            response = HTTPResponse(status: 405, body: "only GET\n")
        } else {
            let path = String(line[1].split(separator: "?", maxSplits: 1).first ?? "")
            response =
                routes[path]?() ?? HTTPResponse(status: 404, body: "not found: try /healthz, /readyz, /metrics\n")
        }
        let body = Array(response.body.utf8)
        let head =
            "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + (line.first == "HEAD" ? [] : body)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                send(client, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            sent += n
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

public struct HealthServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
