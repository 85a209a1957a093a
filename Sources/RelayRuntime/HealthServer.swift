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
/// per connection, a thread per connection. Probes and scrapes are a few per minute, so this
/// keeps a web framework (and its build time) out of the daemon.
///
/// `@unchecked Sendable`: the listening descriptor is set once in `init` and closed once, guarded by `closed`.
public final class HealthServer: @unchecked Sendable {
    public typealias Handler = @Sendable () -> HTTPResponse

    /// The port actually bound (useful with port 0).
    public let port: UInt16
    private let listener: Int32
    private let routes: [String: Handler]
    private let closed = Mutex(false)

    /// Binds `host:port` (an IPv4 address; `0.0.0.0` inside containers) and starts serving.
    public init(host: String, port: UInt16, routes: [String: Handler]) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HealthServerError(message: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let resolvedHost = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, resolvedHost, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw HealthServerError(message: "http.listen: \(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw HealthServerError(message: "cannot listen on \(host):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "health-http"
        thread.start()
    }

    public func close() {
        let wasClosed = closed.withLock { value in defer { value = true }; return value }
        guard !wasClosed else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while !closed.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.name = "health-http-connection"
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { Glibc.close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
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
            response = routes[path]?() ?? HTTPResponse(status: 404, body: "not found: try /healthz, /readyz, /metrics\n")
        }
        let body = Array(response.body.utf8)
        let head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + (line.first == "HEAD" ? [] : body)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(client, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
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

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
