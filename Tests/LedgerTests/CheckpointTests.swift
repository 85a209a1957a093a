import Foundation
import Testing

@testable import Ledger

/// Checkpoints happen outside the writer's commits, and the WAL still stays bounded.
@Suite struct CheckpointTests {
    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// About `kibibytes` KiB of new pages in one transaction.
    private static func write(_ kibibytes: Int, tag: Int, to ledger: Ledger) throws {
        try ledger.sql { db in
            for n in 0..<(kibibytes / 8) {
                try db.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES (?, randomblob(8192))", ["filler-\(tag)-\(n)"])
            }
        }
    }

    @Test func committedPagesReachTheLedgerFileWithoutTheWriterCheckpointing() async throws {
        try await withTemporaryDirectory { dir in
            // The writer's own bound is far away: only the background thread can copy the WAL back.
            let path = dir.file("l.sqlite")
            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(walCheckpointPages: 1_000_000))
            defer { ledger.close() }
            let before = Self.size(path)
            try Self.write(2048, tag: 0, to: ledger)
            let deadline = ContinuousClock.now + .seconds(20)
            // The file grows while the checkpoint copies pages; the count goes up when it has finished.
            while Self.size(path) < before + 2_000_000 || (ledger.checkpointer?.checkpointsRun ?? 0) == 0,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(
                Self.size(path) >= before + 2_000_000, "the ledger file grew from \(before) to \(Self.size(path)) bytes"
            )
            #expect((ledger.checkpointer?.checkpointsRun ?? 0) > 0)
        }
    }

    @Test func withoutBackgroundCheckpointsNothingCopiesTheWALBeforeTheWritersBound() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let ledger = try Ledger.open(
                at: path,
                configuration: LedgerConfiguration(backgroundCheckpoints: false, walCheckpointPages: 1_000_000))
            defer { ledger.close() }
            #expect(ledger.checkpointer == nil)
            let before = Self.size(path)
            try Self.write(2048, tag: 0, to: ledger)
            #expect(Self.size(path) < before + 100_000, "nothing copied the WAL back")
            #expect(Self.size(path + "-wal") > 2_000_000)
        }
    }

    /// Back-to-back transactions leave the background thread no moment at which the writer would
    /// find the WAL fully copied; the writer's bound makes it start over anyway.
    @Test func underContinuousWritingTheWALStaysBounded() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(walCheckpointPages: 256))
            defer { ledger.close() }
            for tag in 0..<60 { try Self.write(256, tag: tag, to: ledger) }
            // 15 MiB went through the WAL; its bound is 1 MiB plus a transaction of 256 KiB.
            #expect(Self.size(path + "-wal") < 3 << 20, "WAL of \(Self.size(path + "-wal")) bytes")
            #expect(Self.size(path) > 15 << 20)
        }
    }

    @Test func theWriterCacheAndBoundAreSetAsConfigured() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("l.sqlite"),
                configuration: LedgerConfiguration(writerCacheBytes: 8 << 20, walCheckpointPages: 500))
            defer { ledger.close() }
            #expect(try ledger.sql { db in try db.scalar("PRAGMA cache_size", as: Int.self) } == -8192)
            #expect(try ledger.sql { db in try db.scalar("PRAGMA wal_autocheckpoint", as: Int.self) } == 500)
        }
    }
}
