import Contracts
import Foundation
import Logging
import Synchronization
import Testing

@testable import RelayRuntime

/// The intake's logging path under a flood of bad records.
@Suite struct OutcomeLogTests {
    /// A time the test moves, in place of the monotonic clock.
    final class TestTime: Sendable {
        private let value = Mutex<Duration>(.zero)
        var now: Duration { value.withLock { $0 } }
        func advance(_ duration: Duration) { value.withLock { $0 += duration } }
    }

    static func outcome(_ n: Int, code: DeadLetterCode?, bank: String? = nil) -> IntakeOutcome {
        IntakeOutcome(
            topic: bank.map { "freeze.bank.\($0).responses" } ?? "freeze.requests", partition: Int32(n % 3),
            offset: Int64(n),
            outcome: code == .foreignResponse ? .foreignResponse : code == nil ? .routed : .deadLettered,
            requestID: nil, caseID: nil, bankID: bank.map { try! BankID($0) }, deadLetterCode: code)
    }

    @Test("100,000 dead-lettered records write a bounded number of lines, and the summaries account for every one")
    func floodIsBoundedAndCounted() throws {
        let lines = LogLines()
        let logger = Logger(label: "freeze-relay") {
            StructuredLogHandler(label: $0, format: .json, level: .info, output: lines.append)
        }
        let time = TestTime()
        let log = OutcomeLog(logger: logger, now: { time.now })
        let codes: [DeadLetterCode] = [.invalidJSON, .schemaViolation, .keyMismatch]
        var sent: [String: Int] = [:]
        // 200 batches of 500, one batch every 600 ms: two minutes of flood, then a little good traffic.
        for batch in 0..<200 {
            var outcomes: [IntakeOutcome] = []
            for index in 0..<500 {
                let n = batch * 500 + index
                if n % 1000 == 999 {
                    outcomes.append(Self.outcome(n, code: .foreignResponse, bank: "halyk"))
                    sent["foreign_response/halyk", default: 0] += 1
                } else {
                    let code = codes[n % codes.count]
                    outcomes.append(Self.outcome(n, code: code))
                    sent[code.rawValue, default: 0] += 1
                }
            }
            log.write(outcomes)
            time.advance(.milliseconds(600))
            log.flush()
        }
        log.write([Self.outcome(1, code: nil)])
        log.flushAll()

        let parsed = try lines.all.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
        }
        #expect(sent.values.reduce(0, +) == 100_000)
        // 3 reasons × 10 lines × 2 windows, 100 security lines at most per window, their summaries, the good record.
        #expect(parsed.count <= 3 * (10 + 1) * 3 + (100 + 1) * 3 + 1, "\(parsed.count) lines")
        var accounted: [String: Int] = [:]
        for line in parsed {
            if let suppressed = line["suppressed"].flatMap(Int.init), let code = line["code"] {
                #expect(line["msg"] == "suppressed \(suppressed) similar lines in the last 60 s")
                accounted[code, default: 0] += suppressed
            } else if let code = line["dead_letter"] {
                accounted[code == "foreign_response" ? "foreign_response/\(line["bank"] ?? "")" : code, default: 0] += 1
            }
        }
        #expect(accounted == sent)
        // SECURITY lines stay errors, summaries included; the rest are warnings; good records are still logged.
        #expect(
            parsed.filter { $0["code"] == "foreign_response/halyk" || $0["outcome"] == "foreign_response" }.allSatisfy {
                $0["level"] == "error"
            })
        #expect(
            parsed.filter { $0["code"] == "invalid_json" || $0["dead_letter"] == "invalid_json" }.allSatisfy {
                $0["level"] == "warning"
            })
        // At info, good records are counted per batch: one line for the one good record.
        #expect(parsed.filter { $0["msg"] == "records applied" }.map { $0["outcomes"] } == ["routed=1"])
        #expect(parsed.filter { $0["msg"] == "record applied" }.isEmpty)
    }
}
