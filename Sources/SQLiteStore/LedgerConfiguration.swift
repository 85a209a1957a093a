/// How hard the writer works to keep committed transactions across a power loss.
public enum Durability: String, Sendable, CaseIterable {
    /// `PRAGMA synchronous=FULL`: the WAL is synced at every commit, so a transaction that
    /// committed (and was acknowledged) survives power loss. The default.
    case full
    /// `PRAGMA synchronous=NORMAL`: faster; in WAL mode a power loss can roll back the most
    /// recent commits, but never corrupts the ledger.
    case normal

    /// The value `PRAGMA synchronous` reports for this setting.
    package var pragmaValue: Int { self == .full ? 2 : 1 }
}

/// Settings for opening a ledger.
public struct LedgerConfiguration: Sendable {
    /// Durability of the writer's commits; `.full` unless chosen otherwise.
    public var durability: Durability
    /// How long a statement waits for another connection's lock before failing with
    /// `LedgerError.busy`.
    public var busyTimeout: Duration
    /// Reader connections kept open between reads. Bursts beyond it open extra connections
    /// that are closed after use, so reads never wait for each other.
    public var maxIdleReaders: Int
    /// Names the software writing the ledger (for example `"freeze-relay 1.2.0"`); recorded
    /// with each applied migration and as the ledger's `created_by`.
    public var softwareVersion: String
    /// The most memory the writer's page cache may use (SQLite's `cache_size`), in bytes. A
    /// batch touches pages all over the indexes; with SQLite's 2 MiB default they spill to the
    /// WAL before the commit and are written again by it (measured: 59 KiB written per request at
    /// 2 MiB, 34.5 KiB from 16 MiB up, 500 requests per transaction). Allocated as used.
    public var writerCacheBytes: Int
    /// Copy the WAL back into the ledger file on a background thread (`Checkpointer`) instead of
    /// inside the writer's commits.
    public var backgroundCheckpoints: Bool
    /// WAL pages (4 KiB each) past which the writer checkpoints itself after a commit: the bound
    /// on the WAL when the background checkpoint cannot finish while the writer keeps writing.
    public var walCheckpointPages: Int

    /// The defaults suit the daemon: full durability, a 5 s busy timeout, 4 idle readers, a 16 MiB
    /// writer cache, background checkpoints with the WAL bounded at 64 MiB.
    public init(
        durability: Durability = .full,
        busyTimeout: Duration = .seconds(5),
        maxIdleReaders: Int = 4,
        softwareVersion: String = "freeze-relay",
        writerCacheBytes: Int = 16 << 20,
        backgroundCheckpoints: Bool = true,
        walCheckpointPages: Int = 16_384
    ) {
        self.durability = durability
        self.busyTimeout = busyTimeout
        self.maxIdleReaders = maxIdleReaders
        self.softwareVersion = softwareVersion
        self.writerCacheBytes = writerCacheBytes
        self.backgroundCheckpoints = backgroundCheckpoints
        self.walCheckpointPages = walCheckpointPages
    }
}
