import Contracts
import Foundation
import Kafka
import Ledger
import Logging
import Relay
import RelayRuntime

// freeze-relay-bench: measurements of the decision core, the ledger, the deadline scheduler and
// the whole pipeline on the embedded broker. Run with `swift run -c release freeze-relay-bench`
// (`--quick` for smaller sizes). Numbers depend on the machine and on `synchronous` (FULL here).

let quick = CommandLine.arguments.contains("--quick")
/// The value after `flag` on the command line.
func option(_ flag: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: flag), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}
/// `--only a,b` runs only those parts: codec, decisions, deadlines, pipeline, chain, throughput.
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
func runs(_ part: String) -> Bool { only?.contains(part) ?? true }
var logger = Logger(label: "bench")
logger.logLevel = .critical

func report(_ name: String, _ value: String) {
    print(name.padding(toLength: 68, withPad: " ", startingAt: 0) + value)
}

func maxResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let start = try Timestamp(parsing: "2026-03-02T09:00:00Z")
let policy = try Bench.policy()
print("freeze-relay-bench\(quick ? " (quick)" : "") — \(ProcessInfo.processInfo.processorCount) cores")

// 0. The event codec alone: decoding, encoding and fingerprinting one event.
if runs("codec") {
    let iterations = option("--codec-iterations").flatMap { Int($0) } ?? (quick ? 20_000 : 200_000)
    let cases = option("--codec-case").map { Set($0.split(separator: ",").map(String.init)) }
    try CodecBench.run(iterations: iterations, only: cases)
}

// 1. Pure decisions: route a request, then apply a frozen answer.
if runs("decisions") {
    let engine = RelayEngine(policy: policy)
    let count = quick ? 20_000 : 100_000
    let requests = (0..<count).map { Bench.request(index: $0, at: start) }
    let began = ContinuousClock.now
    var routed = 0
    for request in requests {
        let cause = Cause.record(topic: "freeze.requests", partition: 0, offset: Int64(routed), eventID: request.id)
        let effects = engine.receive(request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
                                     case: CaseContext(caseID: request.caseID), cause: cause, now: start)
        guard let record = effects.requests.first, let bank = record.bankID else { continue }
        let response = Bench.frozen(request.requestID, at: start)
        _ = engine.answer(response, fingerprint: ContentFingerprint(response), from: bank, context: .init(record: record), previous: nil,
                          case: CaseContext(caseID: request.caseID, requests: [record]), cause: cause, now: start)
        routed += 1
    }
    let seconds = Bench.seconds(ContinuousClock.now - began)
    report("decisions: route + freeze answer (pure, no I/O)", String(format: "%.0f requests/s", Double(routed) / seconds))
}

// 2. Deadline scheduling cost as open timers grow: time to read the next due timers and fire them.
for open in !runs("deadlines") ? [] : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let ledger = try Ledger.open(at: directory.appendingPathComponent("l.sqlite").path)
    let engine = RelayEngine(policy: policy)
    // Fill: `open` routed requests whose deadlines lie in the future, spread over a day.
    try ledger.write { tx in
        for index in 0..<open {
            let request = Bench.request(index: index, at: start)
            let now = start.adding(seconds: Int64(index % 86_400))
            let effects = engine.receive(request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
                                         case: CaseContext(caseID: request.caseID), cause: .record(topic: "t", partition: 0, offset: Int64(index), eventID: request.id), now: now)
            try tx.apply(effects, outbox: [], at: now)
        }
    }
    // Fire the 200 earliest timers one per transaction (the scheduler fires up to 200 per transaction).
    let firings = 200
    let began = ContinuousClock.now
    var fired = 0
    while fired < firings {
        let due = try ledger.write { tx in try tx.dueDeadlines(at: start.adding(seconds: 86_400 * 2), limit: 1) }
        guard let deadline = due.first else { break }
        try ledger.write { tx in
            let context = RelayEngine.RequestContext(record: try tx.request(deadline.requestID), openEscalations: try tx.openEscalations(of: deadline.requestID))
            let effects = engine.fire(deadline, context: context, now: deadline.dueAt)
            try tx.apply(effects, outbox: [], at: deadline.dueAt)
            try tx.markFired(deadline, at: deadline.dueAt)
        }
        fired += 1
    }
    let perFiring = Bench.seconds(ContinuousClock.now - began) / Double(fired) * 1000
    report("deadlines: fire one (find next + decide + commit), \(open * 2) open", String(format: "%.3f ms per timer", perFiring))
    ledger.close()
}

// 3. The whole pipeline on the embedded broker: police → relay → bank topics, with a prompt bank.
if runs("pipeline") {
    let count = quick ? 2_000 : 20_000
    let result = try await Bench.pipeline(count: count, policy: policy, logger: logger)
    report("pipeline: requests routed end to end (\(count), FULL sync)", String(format: "%.0f requests/s", result.throughput))
    report("pipeline: produce → routed_request seen, p50 / p99", String(format: "%.0f ms / %.0f ms", result.p50 * 1000, result.p99 * 1000))
}
if runs("pipeline") {
    let count = quick ? 100 : 300
    let result = try await Bench.pipeline(count: count, policy: policy, logger: logger, pacing: .milliseconds(50))
    report("pipeline at ~20/s, steady: produce → routed, p50 / p99", String(format: "%.0f ms / %.0f ms", result.p50 * 1000, result.p99 * 1000))
}
if runs("chain") {
    let hops = 5, chains = quick ? 5 : 20
    let durations = try await ChainBench.run(hops: hops, chains: chains, policy: policy, logger: logger)
    let median = durations.isEmpty ? .nan : durations[durations.count / 2]
    report("chain: police request → freeze at hop \(hops), median (\(durations.count)/\(chains))",
           String(format: "%.0f ms (%.0f ms per hop)", median * 1000, median * 1000 / Double(hops + 1)))
}
// 4. Draining a backlog, beside the raw pipe as the ceiling.
if runs("throughput") {
    let count = option("--requests").flatMap { Int($0) } ?? (quick ? 5_000 : 50_000)
    let partitions = option("--partitions").flatMap { Int32($0) } ?? 32
    try await ThroughputBench.run(count: count, partitions: partitions, policy: policy, logger: logger)
}
report("max resident memory", String(format: "%.0f MiB", maxResidentMiB()))
