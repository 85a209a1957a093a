import Glibc

/// One address the HTTP listener binds: what `getaddrinfo` made of `http.listen`'s host.
struct ListenAddress: Equatable {
    let family: Int32
    /// The `sockaddr_in` or `sockaddr_in6`, as bytes (its port is set when binding).
    let socketAddress: [UInt8]
    /// The numeric address, for messages.
    let text: String

    /// Every address of `host` (a literal or a name), without repeats, IPv4 first. Throws when
    /// the name does not resolve, with the resolver's reason.
    static func resolve(host: String, port: UInt16) throws -> [ListenAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let list else {
            let reason = code == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(code))
            throw HealthServerError(message: "http.listen: cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var found: [ListenAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let entry = next {
            next = entry.pointee.ai_next
            let family = entry.pointee.ai_family
            guard family == AF_INET || family == AF_INET6, let raw = entry.pointee.ai_addr else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: raw, count: Int(entry.pointee.ai_addrlen)))
            let address = ListenAddress(family: family, socketAddress: bytes, text: numeric(bytes, family: family))
            if !found.contains(address) { found.append(address) }
        }
        return found.sorted { $0.family == AF_INET && $1.family != AF_INET }
    }

    /// A listening socket on this address and `port`, or nil when this machine cannot use the
    /// address at all (no IPv6, an address of another host) and it is one of several
    /// (`siblings`): a name's other addresses may still serve. Throws otherwise.
    func listen(port: UInt16, siblings: Bool) throws -> Int32? {
        // Close-on-exec: a process started from this one must not keep the port's listener alive.
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            if siblings && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT) { return nil }
            throw HealthServerError(
                message:
                    "http.listen: cannot open a socket for \(display(port: port)): \(String(cString: strerror(errno)))")
        }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 && siblings {
            // Several addresses share the port: the IPv6 socket must not also claim IPv4's.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = socketAddress(port: port).withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let code = errno
            Glibc.close(fd)
            if siblings && (code == EADDRNOTAVAIL || code == EAFNOSUPPORT) { return nil }
            throw HealthServerError(
                message: "cannot listen on \(display(port: port)): \(String(cString: strerror(code)))")
        }
        return fd
    }

    /// The `sockaddr_in` or `sockaddr_in6` with `port` set.
    func socketAddress(port: UInt16) -> [UInt8] {
        var bytes = socketAddress
        bytes.withUnsafeMutableBytes { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            raw.storeBytes(of: port.bigEndian, toByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self)
        }
        return bytes
    }

    /// `127.0.0.1:9464` or `[::1]:9464`.
    func display(port: UInt16) -> String {
        family == AF_INET6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }

    /// The port a bound socket got.
    static func localPort(of fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: &storage) {
            UInt16(bigEndian: $0.load(fromByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self))
        }
    }

    private static func numeric(_ bytes: [UInt8], family: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let code = bytes.withUnsafeBytes { raw in
            getnameinfo(
                raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count), &text,
                socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        }
        guard code == 0 else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
