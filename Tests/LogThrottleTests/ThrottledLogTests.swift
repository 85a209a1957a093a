import LogThrottle
import Logging
import Synchronization
import Testing

/// A log handler that keeps what it is given.
final class CapturedLines: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(sink: self) }
        logger.logLevel = .info
        return logger
    }

    struct Handler: LogHandler {
        let sink: CapturedLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.append(
                Line(
                    level: event.level, message: "\(event.message)",
                    metadata: (event.metadata ?? [:]).mapValues { "\($0)" }))
        }
    }
}

/// A time the test moves.
final class TestTime: Sendable {
    private let value = Mutex<Duration>(.zero)
    var now: Duration { value.withLock { $0 } }
    func advance(_ duration: Duration) { value.withLock { $0 += duration } }
}

@Suite struct ThrottledLogTests {
    @Test func summariesAreWrittenAtTheLinesLevelWithTheirCount() {
        let captured = CapturedLines()
        let time = TestTime()
        let log = ThrottledLog(logger: captured.logger, now: { time.now })
        for _ in 0..<25 {
            log.error("SECURITY: foreign answer", code: "foreign_response/halyk", metadata: ["bank": "halyk"])
        }
        log.flush()
        #expect(captured.all.count == 10)
        time.advance(.seconds(60))
        log.flush()
        let summary = try? #require(captured.all.last)
        #expect(captured.all.count == 11)
        #expect(summary?.level == .error)
        #expect(summary?.message == "suppressed 15 similar lines in the last 60 s")
        #expect(
            summary?.metadata == [
                "repeated": "SECURITY: foreign answer", "code": "foreign_response/halyk", "suppressed": "15",
                "written": "10", "window_s": "60",
            ])
        #expect(captured.all.prefix(10).allSatisfy { $0.metadata == ["bank": "halyk"] })
    }

    @Test func linesBelowTheLoggersLevelAreNeitherWrittenNorCounted() {
        let captured = CapturedLines()
        let log = ThrottledLog(logger: captured.logger, now: { .zero })
        for _ in 0..<100 { log.log(level: .debug, "noise", code: "x") }
        log.flushAll()
        #expect(captured.all.isEmpty)
    }

    @Test func flushAllWritesTheOpenWindowsSummaries() {
        let captured = CapturedLines()
        let log = ThrottledLog(logger: captured.logger, now: { .zero })
        for _ in 0..<12 { log.warning("consumer error", code: "Local: Unknown topic") }
        log.flushAll()
        #expect(captured.all.map(\.message).last == "suppressed 2 similar lines in the last 60 s")
    }
}
