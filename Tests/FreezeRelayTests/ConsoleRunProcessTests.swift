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
        let token = "run-test-token-\(UUID().uuidString)"
        let tokenFile = scratch.path("console-token")
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let port = try HTTPListenProcessTests.freeIPv6Port()
        let (process, log) = try scratch.launch(
            scratch.config() + "console:\n  listen: \"[::1]:\(port)\"\n  token_file: \(tokenFile)\n")
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
}
