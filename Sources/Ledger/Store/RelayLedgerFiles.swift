// The plumbing's types (`Ledger`, `LedgerReader`, `LedgerError`, …) are part of this module's API:
// whoever imports the relay's ledger uses them.
@_exported import SQLiteStore

extension Ledger {
    /// Where the daemon keeps its ledger unless configured otherwise, relative to the working directory.
    public static let defaultPath = "./data/freeze-relay.sqlite"

    /// Opens (or creates) the relay's ledger at `path` for writing and brings it to the relay's
    /// schema (``LedgerSchema``). See `open(at:configuration:migrations:)` for the failures.
    public static func open(
        at path: String = Ledger.defaultPath, configuration: LedgerConfiguration = LedgerConfiguration()
    ) throws(LedgerError) -> Ledger {
        try open(at: path, configuration: configuration, migrations: LedgerSchema.migrations)
    }

    /// Opens the relay's ledger with `migrations`, the relay's schema history or the start of it
    /// (tests and benchmarks of older schemas), with the writer's request cache, as the daemon runs.
    ///
    /// - Parameter requestCacheCapacity: decoded requests the writer keeps in memory (see
    ///   `RequestCache`); 0 turns the cache off. The daemon runs with the default, 8,192.
    public static func open(
        at path: String, configuration: LedgerConfiguration = LedgerConfiguration(), migrations: [Migration],
        requestCacheCapacity: Int = 8_192
    ) throws(LedgerError) -> Ledger {
        try open(
            at: path, configuration: configuration, migrations: migrations,
            writerMemory: RequestCache(capacity: requestCacheCapacity))
    }
}

extension LedgerReader {
    /// Opens the relay's existing ledger read-only; its schema must be exactly the relay's.
    public static func open(
        at path: String = Ledger.defaultPath, configuration: LedgerConfiguration = LedgerConfiguration()
    ) throws(LedgerError) -> LedgerReader {
        try open(at: path, configuration: configuration, migrations: LedgerSchema.migrations)
    }
}
