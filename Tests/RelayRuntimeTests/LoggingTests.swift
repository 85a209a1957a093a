import Contracts
import Foundation
import Logging
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayRuntime

/// Collects formatted log lines.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A relay logger at info level whose logfmt lines are collected here.
    func logger() -> Logger {
        var logger = Logger(label: "freeze-relay") {
            StructuredLogHandler(label: $0, format: .logfmt, level: .trace, output: self.append)
        }
        logger.logLevel = .info
        return logger
    }
}

@Suite("Structured logs")
struct LoggingTests {
    @Test("logfmt quotes what needs quoting; JSON escapes; fields are sorted after the fixed ones")
    func formats() throws {
        let lines = LogLines()
        var logfmt = Logger(label: "t") {
            StructuredLogHandler(label: $0, format: .logfmt, level: .info, output: lines.append)
        }
        logfmt.info("record applied", metadata: ["request_id": "abc", "detail": "two words", "quote": "say \"hi\""])
        logfmt.debug("not shown")
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(
            line.contains(
                " level=info logger=t msg=\"record applied\" detail=\"two words\" quote=\"say \\\"hi\\\"\" request_id=abc"
            ))
        #expect(line.hasPrefix("ts="))

        let json = LogLines()
        var logger = Logger(label: "t") {
            StructuredLogHandler(label: $0, format: .json, level: .info, output: json.append)
        }
        logger.warning("line\nbreak", metadata: ["k": "v\t1"])
        let object =
            try JSONSerialization.jsonObject(with: Data(try #require(json.all.first).utf8)) as? [String: String]
        #expect(object?["msg"] == "line\nbreak" && object?["k"] == "v\t1" && object?["level"] == "warning")
    }

    @Test("the relay's log lines carry ids, never account numbers or names")
    func noPersonalData() async throws {
        let lines = LogLines()
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start(logger: lines.logger())
        let iban = kzIBAN(bank: alphaCode, account: 424242)
        let request = freezeRequest(caseID: "CASE-LOG", iban: iban)
        try await harness.publishRequest(request)
        // Once routed (before that the request would be unknown, not foreign).
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        // Foreign: logged as a security event.
        try await harness.publishAnswer(answer(request.requestID, .frozen, frozen: "250000.00"), from: "beta")
        try await harness.watcher.waitFor("foreign refused") { !$0.deadLetters.isEmpty }
        try await harness.stop()
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("request_id=\(CanonicalUUID.string(request.requestID))"))
        #expect(text.contains("SECURITY"))
        #expect(!text.contains(iban.electronicFormat))
        #expect(!text.contains("Test Holder"))
    }
}
