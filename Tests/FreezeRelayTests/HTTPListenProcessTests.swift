import Foundation
import Glibc
import Testing

@testable import FreezeRelay

/// A configuration `check-config` accepts must start: `http.listen` with an IPv6 address used to
/// pass the check and then stop `run` with exit 1 (the listener took IPv4 literals only), which
/// under systemd meant a restart every 5 s.
@Suite("http.listen through the real binary", .serialized)
struct HTTPListenProcessTests {
    @Test("an IPv6 http.listen that check-config accepts is served by run")
    func ipv6ListenStarts() async throws {
        let scratch = try ProcessScratch("http-listen")
        defer { scratch.close() }
        let port = try Self.freeIPv6Port()
        let (process, log) = try scratch.launch(
            scratch.config().replacingOccurrences(of: "listen: \"off\"", with: "listen: \"[::1]:\(port)\""))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let answer = try await ProcessScratch.poll(
            process, until: { $0.hasPrefix("HTTP/1.1 200") },
            fetch: {
                Self.get("/healthz", port: port)
            })
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(answer.hasPrefix("HTTP/1.1 200 OK") && answer.hasSuffix("alive\n"), "\(text)")
        #expect(text.contains("[::1]:\(port)"), "\(text)")
        #expect(process.isRunning, "\(text)")
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    /// A port free on ::1 a moment ago.
    static func freeIPv6Port() throws -> UInt16 {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw CommandTimeout(what: "a free port on ::1 (\(String(cString: strerror(errno))))") }
        return UInt16(bigEndian: address.sin6_port)
    }

    /// The whole answer to `GET path` on [::1]:port (with `headers`, each `Name: value`), or nil
    /// when nothing listens there yet.
    static func get(_ path: String, port: UInt16, headers: [String] = []) -> String? {
        guard let fd = request(path, port: port, headers: headers) else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A connection to [::1]:port that has sent `GET path` and not read the answer (reads time
    /// out after 5 s); nil when nothing listens there. The caller closes it.
    static func request(_ path: String, port: UInt16, headers: [String] = []) -> Int32? {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback6(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let fields = (["Host: [::1]", "Connection: close"] + headers).map { $0 + "\r\n" }.joined()
        let request = Array("GET \(path) HTTP/1.1\r\n\(fields)\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// `[::1]:port` as a socket address.
    static func loopback6(port: UInt16) -> sockaddr_in6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        return address
    }
}
