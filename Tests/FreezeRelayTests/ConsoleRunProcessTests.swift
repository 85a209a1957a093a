import Foundation
import Glibc
import Testing

@testable import FreezeRelay

/// `run` serves the web console from the configuration's `console` section, beside the relay,
/// and stops it with the relay.
@Suite("the web console through the real binary", .serialized)
struct ConsoleRunProcessTests {
    @Test(
        "run serves the console on IPv6 behind its token and stops it on SIGTERM, an open event stream too",
        .timeLimit(.minutes(2)))
    func runServesTheConsole() async throws {
        let scratch = try ProcessScratch("console-run")
        defer { scratch.close() }
        let (token, port) = try Self.tokenAndPort(scratch)
        let (process, log) = try scratch.launch(scratch.config() + Self.console(port, scratch))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let answer = try await ProcessScratch.poll(
            process, until: { $0.hasPrefix("HTTP/1.1 200") },
            fetch: {
                HTTPListenProcessTests.get("/banks", port: port, headers: ["Authorization: Bearer \(token)"])
            })
        let refused = HTTPListenProcessTests.get("/banks", port: port) ?? ""
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(answer.hasPrefix("HTTP/1.1 200 OK") && answer.contains("<h1>Banks</h1>"), "\(answer)\n\(text)")
        #expect(refused.hasPrefix("HTTP/1.1 401") && refused.contains("Sign-in required"), "\(refused)")
        #expect(!refused.contains("Banks</h1>"))
        #expect(text.contains("web console listening") && text.contains("[::1]:\(port)"), "\(text)")
        #expect(!text.contains(token))
        // A board left open in a browser: its event stream must not hold the shutdown up.
        let stream = try #require(
            HTTPListenProcessTests.request("/events/board", port: port, headers: ["Authorization: Bearer \(token)"]))
        defer { close(stream) }
        var first = [UInt8](repeating: 0, count: 4096)
        let count = first.withUnsafeMutableBytes { read(stream, $0.baseAddress, $0.count) }
        #expect(String(decoding: first.prefix(max(count, 0)), as: UTF8.self).contains("text/event-stream"))
        let stopping = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(ContinuousClock.now - stopping < .seconds(10), "\(text)")
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(HTTPListenProcessTests.get("/", port: port) == nil)
    }

    @Test(
        "asked to share the metrics listener, the console answers the probes without the token and the rest with it",
        .timeLimit(.minutes(2)))
    func sharedListener() async throws {
        let scratch = try ProcessScratch("console-shared")
        defer { scratch.close() }
        let (token, port) = try Self.tokenAndPort(scratch)
        let (process, log) = try scratch.launch(
            scratch.config().replacingOccurrences(of: "listen: \"off\"", with: "listen: \"[::1]:\(port)\"")
                + Self.console(port, scratch) + "  share_http_listener: true\n")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let health = try await ProcessScratch.poll(
            process, until: { $0.hasPrefix("HTTP/1.1 200") },
            fetch: { HTTPListenProcessTests.get("/healthz", port: port) })
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(health.hasPrefix("HTTP/1.1 200") && health.hasSuffix("alive\n"), "\(health)\n\(text)")
        let metrics = HTTPListenProcessTests.get("/metrics", port: port) ?? ""
        #expect(metrics.hasPrefix("HTTP/1.1 200") && metrics.contains("freeze_relay_"), "\(metrics.prefix(300))")
        let refused = HTTPListenProcessTests.get("/banks", port: port) ?? ""
        #expect(refused.hasPrefix("HTTP/1.1 401"), "\(refused)")
        let banks = HTTPListenProcessTests.get("/banks", port: port, headers: ["Authorization: Bearer \(token)"]) ?? ""
        #expect(banks.hasPrefix("HTTP/1.1 200") && banks.contains("<h1>Banks</h1>"))
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test("a console that cannot listen stops run with that reason, not as an internal error", .timeLimit(.minutes(2)))
    func portTaken() async throws {
        let scratch = try ProcessScratch("console-taken")
        defer { scratch.close() }
        let (_, port) = try Self.tokenAndPort(scratch)
        // Someone else holds the port.
        let holder = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = HTTPListenProcessTests.loopback6(port: port)
        let held = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 && listen(holder, 1) == 0
            }
        }
        try #require(held)
        let (process, log) = try scratch.launch(scratch.config() + Self.console(port, scratch))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        await process.exited()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus != 0)
        #expect(text.contains("the console failed") && text.contains("Address already in use"), "\(text)")
        #expect(!text.contains("internal error"), "\(text)")
    }

    /// A token written to `console-token` in the scratch directory, and a free port on ::1.
    static func tokenAndPort(_ scratch: ProcessScratch) throws -> (token: String, port: UInt16) {
        let token = "run-test-token-\(UUID().uuidString)"
        try (token + "\n").write(toFile: scratch.path("console-token"), atomically: true, encoding: .utf8)
        return (token, try HTTPListenProcessTests.freeIPv6Port())
    }

    /// The `console:` section for that port and token file.
    static func console(_ port: UInt16, _ scratch: ProcessScratch) -> String {
        "console:\n  listen: \"[::1]:\(port)\"\n  token_file: \(scratch.path("console-token"))\n"
    }
}
