import LogThrottle
import Testing

@Suite struct LogFloodGateTests {
    static let deadLettered = LogLineKey(message: "record dead-lettered", code: "invalid_json")
    static let tooLarge = LogLineKey(message: "record dead-lettered", code: "too_large")
    static let perMinute = LogAllowance(lines: 3, window: .seconds(60))

    @Test func theFirstLinesOfAWindowAreWrittenAndTheRestCountedIntoOneSummary() {
        var gate = LogFloodGate<String>()
        let decisions = (0..<10).map {
            gate.admit(Self.deadLettered, tag: "w", allowance: Self.perMinute, at: .seconds($0)).write
        }
        #expect(decisions == [true, true, true] + Array(repeating: false, count: 7))
        #expect(gate.close(endedBy: .seconds(59)).isEmpty)  // the window started at 0 s and lasts 60 s
        let summaries = gate.close(endedBy: .seconds(60))
        #expect(summaries.map(\.suppressed) == [7] && summaries.map(\.written) == [3])
        #expect(
            summaries.first?.key == Self.deadLettered && summaries.first?.tag == "w"
                && summaries.first?.window == .seconds(60))
        #expect(gate.openWindows == 0)
        // The next line starts a new window and is written again.
        #expect(gate.admit(Self.deadLettered, tag: "w", allowance: Self.perMinute, at: .seconds(61)).write)
    }

    @Test func keysAreCountedSeparatelyAndAWindowWithinItsAllowanceEndsSilently() {
        var gate = LogFloodGate<Int>()
        for second in 0..<5 {
            _ = gate.admit(Self.deadLettered, tag: 1, allowance: Self.perMinute, at: .seconds(Int64(second)))
        }
        #expect(gate.admit(Self.tooLarge, tag: 2, allowance: Self.perMinute, at: .seconds(10)).write)
        // A later line of any kind brings the ended windows' summaries with it.
        let (write, ended) = gate.admit(Self.tooLarge, tag: 2, allowance: Self.perMinute, at: .seconds(75))
        #expect(write)
        #expect(ended.map(\.key) == [Self.deadLettered] && ended.map(\.suppressed) == [2])
        #expect(gate.closeAll().isEmpty)  // too_large: 2 lines, both written
    }

    @Test func aFloodIsBoundedAndItsCountsAddUpExactly() {
        var gate = LogFloodGate<Void>()
        var written = 0
        var summarised = 0
        // 100,000 lines over 10 minutes of two kinds, one line every 6 ms.
        for n in 0..<100_000 {
            let key = n % 3 == 0 ? Self.tooLarge : Self.deadLettered
            let (write, ended) = gate.admit(key, tag: (), at: .milliseconds(Int64(n) * 6))
            if write { written += 1 }
            summarised += ended.reduce(0) { $0 + $1.suppressed }
        }
        summarised += gate.closeAll().reduce(0) { $0 + $1.suppressed }
        #expect(written + summarised == 100_000)
        // 10 lines per kind per minute: 10 windows of each of 2 kinds.
        #expect(written == 2 * 10 * 10)
    }

    @Test func theNumberOfKindsCountedAtOnceIsBounded() {
        var gate = LogFloodGate<Void>(maxKeys: 2)
        for n in 0..<50 {
            _ = gate.admit(LogLineKey(message: "m", code: "c\(n)"), tag: (), allowance: Self.perMinute, at: .seconds(1))
        }
        #expect(gate.openWindows == 3)  // two kinds and the shared overflow kind
        let summaries = gate.closeAll()
        #expect(summaries.map(\.key) == [LogFloodGate<Void>.overflowKey] && summaries.first?.suppressed == 45)
    }
}
