import Contracts
import Foundation
import Histogram
import Ledger
import Logging
import Relay
import RelayKafka
import RelayRuntime

// freeze-relay-bench: measurements of the decision core, the ledger, the deadline scheduler and
// the whole pipeline on the embedded broker. Run with `swift run -c release freeze-relay-bench`
// (`--quick` for smaller sizes). Numbers depend on the machine and on `synchronous` (FULL here).

let quick = CommandLine.arguments.contains("--quick")
/// The value after `flag` on the command line.
func option(_ flag: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: flag), index + 1 < CommandLine.arguments.count else {
        return nil
    }
    return CommandLine.arguments[index + 1]
}
/// The parts, in the order they run.
let parts = [
    "codec", "signatures", "decisions", "ledger", "deadlines", "pipeline", "chain", "throughput", "latency", "timers",
    "restart", "console",
]
if CommandLine.arguments.contains("--help") || CommandLine.arguments.contains("-h") {
    print(
        """
        usage: freeze-relay-bench [--quick] [--only PART,...] [options]
          parts (all by default): \(parts.joined(separator: ", "))
          codec:      --codec-case NAME --codec-iterations N
          ledger:     --requests N --preload N --batch N (2,000) --cache-mib N --checkpoint-in-commit --schema V --wal-pages
              --space (the file's bytes per request by table and index)
          throughput: --requests N (50,000) --partitions P (32) --signed (orders signed, require, relay signs)
                      --intake-batch N (the relay's intake batch size instead of its default, 2,000)
                      --quotas (every request counted against intake quotas)
                      --links (every new request looked up for other cases naming its account)
          latency:    --rate R (1,000/s) --seconds S (30) --partitions P
          timers:     --timers N open (100,000) --due D at once (2,000)
          restart:    --ledger-requests N (100,000)
          console:    --hops N (200) --rounds N (20): the web console's case view of an N-hop case (in memory)
                      and of a 197-request case read from a ledger
        Build with `swift build -c release` and run .build/release/freeze-relay-bench.
        """)
    exit(0)
}
/// `--only a,b` runs only those parts (see `parts`).
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
if let unknown = only?.subtracting(parts), !unknown.isEmpty {
    FileHandle.standardError.write(
        Data(
            "freeze-relay-bench: unknown part(s) \(unknown.sorted().joined(separator: ", ")); parts are \(parts.joined(separator: ", "))\n"
                .utf8))
    exit(2)
}
func runs(_ part: String) -> Bool { only?.contains(part) ?? true }
var logger = Logger(label: "bench")
logger.logLevel = .critical

func report(_ name: String, _ value: String) {
    print(name.padding(toLength: 72, withPad: " ", startingAt: 0) + value)
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

// 0b. What authenticity costs per order: judging a police signature (EdDSA verify) on intake,
// and the relay's own signature on a routed request as it is published.
if runs("signatures") {
    try SignatureBench.run(count: quick ? 2_000 : 20_000, at: start)
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
        let effects = engine.receive(
            request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
            case: CaseContext(caseID: request.caseID), cause: cause, now: start)
        guard let record = effects.requests.first, let bank = record.bankID else { continue }
        let response = Bench.frozen(request.requestID, at: start)
        _ = engine.answer(
            response, fingerprint: ContentFingerprint(response), from: bank, context: .init(record: record),
            previous: nil,
            case: CaseContext(caseID: request.caseID, requests: [record]), cause: cause, now: start)
        routed += 1
    }
    let seconds = Bench.seconds(ContinuousClock.now - began)
    report(
        "decisions: route + freeze answer (pure, no I/O)", String(format: "%.0f requests/s", Double(routed) / seconds))
}

// 1b. The ledger's cost per applied request: intake's reads, decision and writes, no Kafka.
if runs("ledger") {
    let count = option("--requests").flatMap { Int($0) } ?? (quick ? 5_000 : 20_000)
    let preload = option("--preload").flatMap { Int($0) } ?? 0
    var configuration = LedgerConfiguration()
    // A/B switches: `--cache-mib N` (the writer's page cache), `--checkpoint-in-commit`.
    if let mebibytes = option("--cache-mib").flatMap({ Int($0) }) { configuration.writerCacheBytes = mebibytes << 20 }
    if CommandLine.arguments.contains("--checkpoint-in-commit") {
        configuration.backgroundCheckpoints = false
        configuration.walCheckpointPages = 1_000
    }
    // `--schema V`: an older schema version, to compare a migration; `--wal-pages`: which tables
    // and indexes the WAL frames of the timed part belong to (checkpoints off meanwhile).
    let schema = option("--schema").flatMap { Int($0) } ?? LedgerSchema.currentVersion
    let walPages = CommandLine.arguments.contains("--wal-pages")
    // `--space`: the ledger file's bytes per request by table and index (SQLite's dbstat).
    let space = CommandLine.arguments.contains("--space")
    // `--batch N`: requests per transaction (default 2,000, the daemon's intake batch).
    let batch = option("--batch").flatMap { Int($0) }.map { max($0, 1) } ?? 2_000
    let result = try LedgerBench.run(
        count: count, batch: batch, preload: preload, policy: policy, configuration: configuration,
        schemaVersion: schema, walPages: walPages, space: space)
    let label =
        "ledger: apply \(count) new requests, \(batch) per transaction, FULL"
        + (preload > 0 ? ", \(preload) before" : "")
        + (schema != LedgerSchema.currentVersion ? ", schema \(schema)" : "")
    let written =
        result.bytesWritten.map { String(format: ", %.1f KiB written per request", Double($0) / Double(count) / 1024) }
        ?? ""
    report(
        label,
        String(
            format: "%.1f µs per request (ledger %.1f µs, writer thread CPU %.1f µs), %.0f ledger bytes per request",
            result.microsecondsPerRequest, result.ledgerMicrosecondsPerRequest, result.writerCPUMicrosecondsPerRequest,
            Double(result.ledgerBytes) / Double(count + preload)) + written)
    if let pages = result.walPages {
        let total = pages.values.reduce(0, +)
        report(
            "ledger: WAL pages per request (checkpoints off)",
            String(format: "%.2f: ", Double(total) / Double(count))
                + pages.sorted { $0.value > $1.value }.prefix(12).map {
                    String(format: "%@ %.2f", $0.key, Double($0.value) / Double(count))
                }.joined(separator: ", "))
    }
    if let bytes = result.bytesByOwner {
        let requests = Double(count + preload)
        report(
            "ledger: file bytes per request by table and index",
            bytes.filter { $0.value * 2 >= Int(requests) }.sorted { $0.value > $1.value }.map {
                String(format: "%@ %.0f", $0.key, Double($0.value) / requests)
            }.joined(separator: ", "))
    }
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
            let effects = engine.receive(
                request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
                case: CaseContext(caseID: request.caseID),
                cause: .record(topic: "t", partition: 0, offset: Int64(index), eventID: request.id), now: now)
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
            let context = RelayEngine.RequestContext(
                record: try tx.request(deadline.requestID),
                openEscalations: try tx.openEscalations(of: deadline.requestID))
            let effects = engine.fire(deadline, context: context, now: deadline.dueAt)
            try tx.apply(effects, outbox: [], at: deadline.dueAt)
            try tx.markFired(deadline, at: deadline.dueAt)
        }
        fired += 1
    }
    let perFiring = Bench.seconds(ContinuousClock.now - began) / Double(fired) * 1000
    report(
        "deadlines: fire one (find next + decide + commit), \(open * 2) open",
        String(format: "%.3f ms per timer", perFiring))
    ledger.close()
}

// 3. The whole pipeline on the embedded broker: police → relay → bank topics, with a prompt bank.
if runs("pipeline") {
    let count = quick ? 2_000 : 20_000
    let result = try await Bench.pipeline(count: count, policy: policy, logger: logger)
    report(
        "pipeline: requests routed end to end (\(count), FULL sync)",
        String(format: "%.0f requests/s", result.throughput))
    report(
        "pipeline: produce → routed_request seen, p50 / p99",
        String(format: "%.0f ms / %.0f ms", result.p50 * 1000, result.p99 * 1000))
}
if runs("pipeline") {
    let count = quick ? 100 : 300
    let result = try await Bench.pipeline(count: count, policy: policy, logger: logger, pacing: .milliseconds(50))
    report(
        "pipeline at ~20/s, steady: produce → routed, p50 / p99",
        String(format: "%.0f ms / %.0f ms", result.p50 * 1000, result.p99 * 1000))
}
if runs("chain") {
    let hops = 5
    let chains = quick ? 5 : 20
    let durations = try await ChainBench.run(hops: hops, chains: chains, policy: policy, logger: logger)
    let median = durations.isEmpty ? .nan : durations[durations.count / 2]
    report(
        "chain: police request → freeze at hop \(hops), median (\(durations.count)/\(chains))",
        String(format: "%.0f ms (%.0f ms per hop)", median * 1000, median * 1000 / Double(hops + 1)))
}
// 4. Draining a backlog, beside the raw pipe as the ceiling.
if runs("throughput") {
    let count = option("--requests").flatMap { Int($0) } ?? (quick ? 5_000 : 50_000)
    let partitions = option("--partitions").flatMap { Int32($0) } ?? 32
    // `--quotas`: every request counted against the shipped default quotas (none is reached:
    // every account is different, and the issuer limits are raised out of the way), to show
    // what counting costs.
    var counted = policy
    if CommandLine.arguments.contains("--quotas") {
        counted.quotas = IntakeQuotas(
            issuer: .init(perMinute: 100_000_000, perDay: 100_000_000), account: .init(openRequests: 20, repeats: 10))
        print(
            "intake quotas on: every request counted (issuer minute and day, account open and recent); no limit is reached"
        )
    }
    // `--links`: every new request looked up for other cases that named its account (the
    // configuration file's default; none is found: every account is different).
    if CommandLine.arguments.contains("--links") {
        counted.accountLinks = AccountLinkPolicy(window: AccountLinkPolicy.defaultWindow)
        print("account links on: every new request looked up by IBAN; no link is found")
    }
    try await ThroughputBench.run(
        count: count, partitions: partitions, policy: counted, logger: logger,
        signed: CommandLine.arguments.contains("--signed"), intakeBatch: option("--intake-batch").flatMap { Int($0) })
}
// 5. Latency under a steady offered load: the daemon's default settings, then with a 5 ms fetch
// wait, which is what a real broker's early answer to a fetch amounts to (see LatencyBench).
if runs("latency") {
    let rate = option("--rate").flatMap { Int($0) } ?? 1_000
    let seconds = option("--seconds").flatMap { Int($0) } ?? (quick ? 5 : 30)
    let partitions = option("--partitions").flatMap { Int32($0) } ?? 32
    for fetchWait in [nil, 5] as [Int?] {
        let result = try await LatencyBench.run(
            rate: rate, seconds: seconds, warmup: 2, partitions: partitions, relayFetchWait: fetchWait,
            policy: policy, logger: logger)
        func ms(_ percentile: Double) -> String { String(format: "%.1f", Double(result.micros(percentile)) / 1000) }
        let setting = fetchWait.map { "relay fetch wait \($0) ms" } ?? "relay defaults"
        report(
            "latency (\(setting)): \(rate)/s for \(seconds) s, \(partitions) partitions",
            "\(result.measured) measured, \(result.missing) not routed within 30 s")
        report(
            "latency (\(setting)): publish → read from bank topic",
            "p50 \(ms(50)) ms, p99 \(ms(99)) ms, p99.9 \(ms(99.9)) ms, max \(ms(100)) ms")
        func legMs(_ histogram: Histogram<UInt64>, _ percentile: Double) -> String {
            String(format: "%.1f", Double(histogram.valueAtPercentile(percentile)) / 1000)
        }
        report(
            "latency (\(setting)): due → relay decision | decision → read",
            "p50 \(legMs(result.toDecision, 50)) | \(legMs(result.fromDecision, 50)) ms, p99 \(legMs(result.toDecision, 99)) | \(legMs(result.fromDecision, 99)) ms"
        )
        report(
            "latency (\(setting)): process CPU per request",
            String(format: "%.0f µs (relay, generator and watcher)", result.cpuMicrosecondsPerRequest))
    }
}
// 6. Deadlines falling due together, among many open ones.
if runs("timers") {
    let open = option("--timers").flatMap { Int($0) } ?? (quick ? 10_000 : 100_000)
    let due = option("--due").flatMap { Int($0) } ?? 2_000
    let result = try await TimerBench.run(open: open, due: due, policy: policy, logger: logger)
    func ms(_ percentile: Double) -> String {
        String(format: "%.0f", Double(result.histogram.valueAtPercentile(percentile)) / 1000)
    }
    report(
        "timers: \(due) due at once among \(open) open requests",
        String(format: "ledger filled in %.0f s; %d of %d escalations seen", result.fillSeconds, result.seen, due))
    report(
        "timers: lateness as read from the escalations topic", "p50 \(ms(50)) ms, p99 \(ms(99)) ms, max \(ms(100)) ms")
}
// 7. Starting on a large ledger.
if runs("restart") {
    let size = option("--ledger-requests").flatMap { Int($0) } ?? (quick ? 10_000 : 100_000)
    let result = try await RestartBench.run(size: size, policy: policy, logger: logger)
    report(
        "restart: ledger of \(size) requests",
        String(
            format: "filled in %.0f s, %.0f bytes per request", result.fillSeconds,
            Double(result.ledgerBytes) / Double(max(size, 1))))
    for (name, start) in [("first start", result.first), ("after a graceful stop", result.restart)] {
        report(
            "restart: \(name): open, first /metrics, fresh request routed",
            String(format: "%.2f s, %.3f s, ", start.openSeconds, start.firstScrapeSeconds)
                + (start.toRoutedSeconds.map { String(format: "%.1f s", $0) } ?? "not within 120 s"))
    }
}
// 8. The web console's case view of a long chain, over loopback HTTP.
if runs("console") {
    let hops = option("--hops").flatMap { Int($0) } ?? 200
    let rounds = option("--rounds").flatMap { Int($0) } ?? (quick ? 5 : 20)
    for result in try await ConsoleBench.run(hops: hops, rounds: rounds, logger: logger) {
        let times = result.milliseconds
        report(
            "console: case view, \(result.label) (\(result.bytes / 1024) KiB)",
            String(
                format: "median %.1f ms, p95 %.1f ms, max %.1f ms over %d", times[times.count / 2],
                times[min(times.count - 1, times.count * 95 / 100)], times.last ?? 0, times.count))
    }
}
report("max resident memory", String(format: "%.0f MiB", maxResidentMiB()))
