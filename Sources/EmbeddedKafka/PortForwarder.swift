import Foundation
import Glibc
import RelayKafka

/// Forwards a fixed loopback TCP port to one of several `host:port` targets.
///
/// librdkafka's mock cluster picks its own broker ports. Clients only need a fixed address to
/// *bootstrap*: the metadata they get back names the real broker ports, so they talk to those
/// directly afterwards. This forwarder gives them `127.0.0.1:P` for that first connection.
///
/// Each accepted connection is relayed by two threads (one per direction) until either side
/// closes. Connections are few and short, so threads are simpler than an event loop here.
///
/// `@unchecked Sendable`: the listening socket descriptor is written once in `init` and closed
/// once, guarded by `state`.
public final class PortForwarder: @unchecked Sendable {
    /// The local port being listened on.
    public let port: UInt16
    private let listener: Int32
    private let targets: [(host: String, port: UInt16)]
    private let state = LockedState(false)

    /// Listens on `127.0.0.1:port` (0 picks a free port) and forwards to the first reachable target.
    public init(port: UInt16, targets: [String]) throws {
        self.targets = try targets.map { target in
            guard let colon = target.lastIndex(of: ":"), let p = UInt16(target[target.index(after: colon)...]) else {
                throw ForwarderError(message: "target \(target) is not host:port")
            }
            return (String(target[..<colon]), p)
        }
        guard !self.targets.isEmpty else { throw ForwarderError(message: "no forwarding target") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ForwarderError(message: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ForwarderError(message: "cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = fd
        let acceptThread = Thread { [self] in acceptLoop() }
        acceptThread.name = "port-forwarder-accept"
        acceptThread.start()
    }

    /// Stops accepting; relayed connections already open finish on their own.
    public func close() {
        let wasClosed = state.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosed else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while !state.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            guard let upstream = connectToFirstTarget() else {
                Glibc.close(client)
                continue
            }
            let pair = SocketPair(client: client, upstream: upstream)
            for (from, to) in [(client, upstream), (upstream, client)] {
                let thread = Thread { pair.pump(from: from, to: to) }
                thread.name = "port-forwarder-relay"
                thread.start()
            }
        }
    }

    private func connectToFirstTarget() -> Int32? {
        for target in targets {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            var address = loopbackAddress(port: target.port)
            if inet_pton(AF_INET, target.host == "localhost" ? "127.0.0.1" : target.host, &address.sin_addr) != 1 {
                Glibc.close(fd)
                continue
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if connected == 0 { return fd }
            Glibc.close(fd)
        }
        return nil
    }
}

/// Why the forwarder could not start.
public struct ForwarderError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Two connected sockets relayed in both directions; both are closed once both directions ended.
private final class SocketPair: Sendable {
    let client: Int32
    let upstream: Int32
    private let finished = LockedState(0)

    init(client: Int32, upstream: Int32) {
        self.client = client
        self.upstream = upstream
    }

    func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        outer: while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes {
                    send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
                }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break outer }
                sent += n
            }
        }
        // Tell the other side no more data comes this way; the reverse pump ends on its own.
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
        let done = finished.withLock { value in
            value += 1
            return value
        }
        if done == 2 {
            Glibc.close(client)
            Glibc.close(upstream)
        }
    }
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
