import Contracts
import Foundation
import Ledger
import Relay

/// The ledger's cost per applied request, without Kafka: what intake does for a new police
/// request (read the request, its open escalations and its case; decide; queue the events;
/// record the partition position once per batch), `batch` records per write transaction, into a
/// fresh ledger opened with `configuration` (FULL durability by default); then, in a second
/// transaction per batch, what the publisher records once the broker has acknowledged the
/// batch's events (they leave the outbox).
///
/// Requests come three to a case (as in `Bench.request`), so from the second of a case on,
/// reading the case returns earlier requests. Case ids are in no particular order, as police
/// case numbers from many units would be (`Bench.request`'s sequential ones would make every
/// index on the case id an append). The clock moves 2 ms per request, as at 500 requests/s, so
/// keys that follow time (due times, received and updated times) grow as in the daemon.
/// Deciding and encoding are timed separately so the ledger's share can be told apart; under
/// callgrind, compare instruction counts instead.
///
/// `schemaVersion` opens the ledger at an older schema (the code writes every version since 7),
/// for A/B comparisons of a migration. With `walPages`, checkpoints are off during the timed
/// part and the WAL frames it wrote are attributed to the tables and indexes whose pages they
/// are: which B-trees each request dirties.
enum LedgerBench {
    struct Result {
        var count: Int
        var seconds: Double
        /// Time outside the ledger: deciding and encoding the outgoing events.
        var pureSeconds: Double
        /// The ledger file after closing (WAL folded back).
        var ledgerBytes: Int64
        /// Bytes this process handed to `write`/`pwrite` while applying (`wchar` of
        /// `/proc/self/io`): WAL frames and checkpoint copies, whichever thread wrote them.
        var bytesWritten: Int64?
        /// CPU time of the thread that applied the batches (the writer's commits included, a
        /// background checkpoint's not): less disturbed by other load than `seconds`.
        var writerCPUSeconds: Double
        /// WAL frames written in the timed part, by table or index (with `walPages`).
        var walPages: [String: Int]?
        /// Bytes of the ledger file by table or index once the run ended (with `space`).
        var bytesByOwner: [String: Int]?

        var microsecondsPerRequest: Double { seconds / Double(count) * 1e6 }
        var ledgerMicrosecondsPerRequest: Double { (seconds - pureSeconds) / Double(count) * 1e6 }
        var writerCPUMicrosecondsPerRequest: Double { writerCPUSeconds / Double(count) * 1e6 }
    }

    /// `preload` requests are applied first (untimed) so the indexes start at that size.
    static func run(
        count: Int, batch: Int, preload: Int, policy: RelayPolicy, configuration: LedgerConfiguration,
        schemaVersion: Int = LedgerSchema.currentVersion, walPages: Bool = false, space: Bool = false
    ) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bench-ledger-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let migrations = Array(LedgerSchema.migrations.prefix { $0.version <= schemaVersion })
        var ledger = try Ledger.open(at: path, configuration: configuration, migrations: migrations)
        defer { ledger.close() }
        let engine = RelayEngine(policy: policy)
        let now = Timestamp(Date())
        var pure = Duration.zero
        for first in stride(from: 0, to: preload, by: batch) {
            try apply(first..<min(first + batch, preload), engine: engine, ledger: ledger, now: now, pure: &pure)
        }
        pure = .zero
        if walPages {
            // Preloaded with checkpoints as usual; closing folds the WAL back, and the timed part
            // runs without checkpoints, so every frame it writes stays in the WAL to be counted.
            ledger.close()
            var timed = configuration
            (timed.backgroundCheckpoints, timed.walCheckpointPages) = (false, Int(Int32.max))
            ledger = try Ledger.open(at: path, configuration: timed, migrations: migrations)
        }
        let walStart = walPages ? fileSize(path + "-wal") : 0
        let writtenBefore = writtenBytes()
        let began = ContinuousClock.now
        let cpuBefore = threadCPUSeconds()
        for first in stride(from: preload, to: preload + count, by: batch) {
            try apply(
                first..<min(first + batch, preload + count), engine: engine, ledger: ledger, now: now, pure: &pure)
        }
        let seconds = Bench.seconds(ContinuousClock.now - began)
        let writerCPU = threadCPUSeconds() - cpuBefore
        let pages =
            walPages ? try walFrames(path + "-wal", from: walStart, owners: ledger.reader.pageOwners() ?? [:]) : nil
        // Closing folds the WAL back into the file, so its size is what the ledger keeps; the
        // writes counted include that last checkpoint.
        ledger.close()
        // Read after the close, from the file alone, so the pages are those the file keeps.
        let reader = space ? try LedgerReader.open(at: path) : nil
        defer { reader?.close() }
        let owners = try reader?.pageOwners()
        let pageSize: Int64 = try reader?.read { db in try db.scalar("PRAGMA page_size") } ?? 0
        let written = writtenBytes().flatMap { after in writtenBefore.map { after - $0 } }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64 ?? 0) ?? 0
        return Result(
            count: count, seconds: seconds, pureSeconds: Bench.seconds(pure), ledgerBytes: size, bytesWritten: written,
            writerCPUSeconds: writerCPU, walPages: pages,
            bytesByOwner: owners.map { owners in
                owners.values.reduce(into: [:]) { $0[$1, default: 0] += Int(pageSize) }
            })
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    /// Counts the WAL frames from byte `start` on by the table or index owning each frame's page.
    /// A WAL is a 32-byte header (page size at bytes 8–11, big-endian), then frames of a 24-byte
    /// header (page number at bytes 0–3) and one page.
    private static func walFrames(_ path: String, from start: Int, owners: [Int: String]) throws -> [String: Int] {
        let wal = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? wal.close() }
        let size = Int(try wal.seekToEnd())
        // Reads only the 4 bytes wanted at each place: the WAL may be gigabytes.
        func bigEndian(_ at: Int) throws -> Int {
            try wal.seek(toOffset: UInt64(at))
            return [UInt8](try wal.read(upToCount: 4) ?? Data()).reduce(0) { $0 << 8 | Int($1) }
        }
        guard size >= 32 else { return [:] }
        let pageSize = try bigEndian(8)
        guard pageSize > 0 else { return [:] }
        var counts: [String: Int] = [:]
        var offset = max(start, 32)
        while offset + 24 + pageSize <= size {
            counts[owners[try bigEndian(offset)] ?? "(freed or new)", default: 0] += 1
            offset += 24 + pageSize
        }
        return counts
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `wchar` from `/proc/self/io`; nil where there is no such file.
    private static func writtenBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("wchar:") }
        return line.flatMap { Int64($0.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces)) }
    }

    /// One write transaction: the reads, decision and writes intake makes for each request.
    private static func apply(
        _ indexes: Range<Int>, engine: RelayEngine, ledger: Ledger, now: Timestamp, pure: inout Duration
    ) throws {
        let queued = try ledger.write { tx in
            for index in indexes {
                let now = Timestamp(now.date.addingTimeInterval(Double(index) * 0.002))
                let request = request(index: index, at: now)
                let cause = Cause.record(
                    topic: "freeze.requests", partition: 0, offset: Int64(index), eventID: request.id)
                let context = RelayEngine.RequestContext(
                    record: try tx.request(request.requestID),
                    openEscalations: try tx.openEscalations(of: request.requestID))
                let caseContext = try tx.caseContext(request.caseID)
                let decided = ContinuousClock.now
                let effects = engine.receive(
                    request, fingerprint: ContentFingerprint(request), context: context,
                    case: caseContext, cause: cause, now: now)
                let outbox = try effects.events.map(encode)
                pure += ContinuousClock.now - decided
                try tx.apply(effects, outbox: outbox, at: now)
            }
            try tx.recordPosition(
                topic: "freeze.requests", partition: 0, nextOffset: Int64(indexes.upperBound),
                lastDigest: Array(repeating: 7, count: 32), at: now)
            return tx.queuedEvents
        }
        try ledger.markSent(queued.map { ($0.sequence, Int32(0), $0.sequence) }, at: now)
    }

    private static func request(index: Int, at time: Timestamp) -> FreezeRequest {
        var request = Bench.request(index: index, at: time)
        let caseKey = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "bench-case-\(index / 3)")
        request.caseID = "CASE-" + CanonicalUUID.string(caseKey).prefix(13)
        return request
    }

    /// As the runtime's outbox encoding does it: trusted JSON, the standard headers.
    private static func encode(_ outgoing: OutgoingEvent) throws -> OutboxMessage {
        OutboxMessage(outgoing, payload: try EventEncoder.encodeTrusted(outgoing.event))
    }
}
