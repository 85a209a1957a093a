/// The daemon's ledger: one writer connection, guarded by an exclusive lock file, plus a pool of
/// read-only connections (`reader`) and, by default, a connection of its own that checkpoints the
/// WAL in the background (`Checkpointer`).
///
/// Opening it creates the file (and its directory) if missing, switches it to WAL mode, sets the
/// configured durability and applies pending migrations. Every failure is a `LedgerError`.
///
/// The ledger holds personal data, so its files are the owner's alone: the file, its `-wal`
/// and `-shm`, and the lock file are created 0600 and the directories the ledger creates 0700,
/// whatever the umask. A ledger that already exists with wider permissions (written by an
/// older binary) has its group and other bits removed when a writer opens it; nothing is ever
/// loosened, and a file the process may write but does not own keeps its mode.
///
/// The API is synchronous: each call blocks its thread for the duration of the SQLite work
/// (and, when another connection holds a lock, for up to the busy timeout).
public final class Ledger: Sendable {
    /// The ledger file, as an absolute path.
    public let path: String
    /// The schema version after opening (the last of the migrations given to `open`).
    public let schemaVersion: Int
    /// The durability the writer was opened with (verified with `PRAGMA synchronous`).
    public let durability: Durability
    /// Read-only connections to the same file, for the daemon's reads.
    public let reader: LedgerReader
    private let writer: WriterSlot
    /// Nil when `LedgerConfiguration.backgroundCheckpoints` is off.
    package let checkpointer: Checkpointer?

    private init(
        path: String, schemaVersion: Int, durability: Durability, reader: LedgerReader, writer: WriterSlot,
        checkpointer: Checkpointer?
    ) {
        self.path = path
        self.schemaVersion = schemaVersion
        self.durability = durability
        self.reader = reader
        self.writer = writer
        self.checkpointer = checkpointer
    }

    deinit {
        close()
    }

    /// Opens (or creates) the ledger at `path` for writing and brings its schema up to date.
    ///
    /// Fails with `.inUse` when another freeze-relay process (or another open `Ledger` in this
    /// process) writes the same file, `.schemaTooNew` when the file was written by a newer
    /// binary, `.notADatabase` / `.notALedger` for files that are not ledgers, and `.cannotCreate`
    /// with the OS's reason when the file or its directory cannot be created.
    ///
    /// - Parameters:
    ///   - migrations: the schema history (the relay's is `LedgerSchema.migrations`, which the
    ///     `Ledger` target's `open(at:configuration:)` passes).
    ///   - writerMemory: what the user keeps beside the writer, or nil. Deliberately without a
    ///     default: the relay's ledger runs slower without its request cache, and an overload that
    ///     forgot to pass it once made a benchmark measure a ledger the daemon never runs.
    public static func open(
        at path: String,
        configuration: LedgerConfiguration = LedgerConfiguration(),
        migrations: [Migration],
        writerMemory: (any WriterMemory)?
    ) throws(LedgerError) -> Ledger {
        try Migrator.validate(migrations)
        let path = FileSystem.absolute(path)
        try FileSystem.createDirectories(FileSystem.parent(of: path), for: path)
        if FileSystem.kind(of: path) == .directory {
            throw .cannotCreate(path: path, reason: "a directory is in the way at that path")
        }
        let lockFile = try WriterLockFile.acquire(for: path)
        let connection: Connection
        let version: Int
        let checkpointer: Checkpointer?
        do throws(LedgerError) {
            if FileSystem.kind(of: path) == .missing { try FileSystem.createOwnerOnlyFile(path, for: path) }
            connection = try Connection.open(path: path, mode: .writer, busyTimeout: configuration.busyTimeout)
        } catch {
            lockFile.release()
            throw error
        }
        do throws(LedgerError) {
            // Look before changing anything: switching journal mode or migrating must never
            // happen to a file that is not ours or is too new for us.
            let state = try Migrator.inspect(connection)
            try Migrator.checkIdentity(state, path: path)
            // A ledger written by an older binary may be world-readable: tighten it (and its WAL
            // files, which SQLite creates with the ledger's mode) now that it is known to be ours.
            for file in [path, path + "-wal", path + "-shm"] { FileSystem.restrictToOwner(file) }
            let known = migrations.last?.version ?? 0
            guard state.userVersion <= known else {
                throw .schemaTooNew(path: path, fileVersion: state.userVersion, knownVersion: known)
            }
            try configure(connection, configuration)
            version = try Migrator.migrate(
                connection, migrations: migrations, from: state, appliedBy: configuration.softwareVersion)
            checkpointer =
                configuration.backgroundCheckpoints
                ? try Checkpointer.start(path: path, configuration: configuration) : nil
        } catch {
            connection.close()
            lockFile.release()
            throw error
        }
        return Ledger(
            path: path,
            schemaVersion: version,
            durability: configuration.durability,
            reader: LedgerReader(pool: ReaderPool(path: path, configuration: configuration)),
            writer: WriterSlot(
                path: path, connection: connection, lockFile: lockFile,
                memory: writerMemory),
            checkpointer: checkpointer
        )
    }

    private static func configure(_ connection: Connection, _ configuration: LedgerConfiguration) throws(LedgerError) {
        let durability = configuration.durability
        let journalMode: String? = try connection.run("PRAGMA journal_mode = WAL").first?[0]
        guard journalMode?.lowercased() == "wal" else {
            throw .cannotOpen(
                path: connection.path,
                reason:
                    "cannot switch to WAL mode (journal_mode stays \(journalMode ?? "unknown")); the filesystem may not support shared memory"
            )
        }
        try connection.runScript(
            """
            PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL");
            PRAGMA foreign_keys = ON;
            PRAGMA journal_size_limit = \(64 * 1024 * 1024);
            PRAGMA cache_size = -\(max(configuration.writerCacheBytes / 1024, 1));
            PRAGMA wal_autocheckpoint = \(max(configuration.walCheckpointPages, 1));
            PRAGMA temp_store = MEMORY;
            """)
        // temp_store: statement journals in memory. A statement that fires triggers (the metrics
        // counts of schema 9) keeps a journal of the pages it changes, so it can be undone alone;
        // in a temporary file that was 4x the bytes written per request and a quarter more of
        // the writer's CPU (`freeze-relay-bench --only ledger --schema 8|9`).
        // journal_size_limit: after a checkpoint, shrink a WAL that a burst made large.
        // cache_size: negative means KiB. wal_autocheckpoint: with background checkpoints, only
        // the bound that makes the WAL start over under continuous writing (see `Checkpointer`).
        // Durability is the point of the ledger, so make sure the setting really took.
        let synchronous = try Migrator.scalarInt(connection, "PRAGMA synchronous")
        guard synchronous == durability.pragmaValue else {
            throw .cannotOpen(
                path: connection.path,
                reason:
                    "PRAGMA synchronous is \(synchronous) instead of \(durability.pragmaValue) (\(durability.rawValue))"
            )
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`, so it holds the write lock from the
    /// start and cannot fail half-way on a lock upgrade). Commits when `body` returns, rolls
    /// back when it throws, and rethrows. Calls from several threads run one after another.
    /// The writer's memory follows the transaction: what it staged is kept only on commit.
    ///
    /// `syncing: false` commits without syncing the WAL even under `durability: .full`, for
    /// writes whose loss in a power cut costs only repeated work (see `record(_:at:)`): the WAL
    /// keeps its order, so the next syncing commit makes them durable along with itself.
    package func transaction<Value>(syncing: Bool = true, _ body: (borrowing Database) throws -> Value) throws -> Value
    {
        try writer.withConnection { connection, memory in
            guard !syncing && durability == .full else {
                return try Self.run(body, on: connection, memory: memory, checkpointer: checkpointer)
            }
            try connection.runScript("PRAGMA synchronous = NORMAL")
            let result: Value
            do {
                result = try Self.run(body, on: connection, memory: memory, checkpointer: checkpointer)
            } catch {
                try? connection.runScript("PRAGMA synchronous = FULL")
                throw error
            }
            // If FULL cannot be restored this throws although the work committed: the caller then
            // stops rather than go on with weaker commits.
            try connection.runScript("PRAGMA synchronous = FULL")
            return result
        }
    }

    private static func run<Value>(
        _ body: (borrowing Database) throws -> Value, on connection: Connection, memory: (any WriterMemory)?,
        checkpointer: Checkpointer?
    ) throws -> Value {
        try connection.runScript("BEGIN IMMEDIATE")
        do {
            // Bound to a local first: passing the temporary straight in crashes the 6.3
            // optimizer (generic specialization of a borrowed ~Copyable argument).
            let database = Database(connection: connection, memory: memory)
            let result = try body(database)
            try connection.runScript("COMMIT")
            memory?.commit()
            checkpointer?.requestCheckpoint()
            return result
        } catch {
            connection.rollbackIfInTransaction()
            memory?.rollback()
            throw error
        }
    }

    /// Runs `body` in a read transaction on a reader connection; sees committed data only.
    package func read<Value>(_ body: (borrowing Database) throws -> Value) throws -> Value {
        try reader.read(body)
    }

    /// Writes a consistent copy of the ledger to a new file at `path` while the writer keeps
    /// writing (see `LedgerReader.backup(to:)`).
    public func backup(to path: String) throws(LedgerError) {
        try reader.backup(to: path)
    }

    /// Runs `PRAGMA integrity_check` (or `quick_check`) on a reader connection.
    public func integrityCheck(quick: Bool = false) throws(LedgerError) -> IntegrityReport {
        try reader.integrityCheck(quick: quick)
    }

    /// The migrations applied to this ledger, oldest first.
    public func appliedMigrations() throws(LedgerError) -> [AppliedMigration] {
        try reader.appliedMigrations()
    }

    /// Stops the background checkpoints, closes the readers and the writer (finalizing
    /// statements and checkpointing the WAL) and releases the lock file so another daemon may
    /// open the ledger. Idempotent; later calls fail with `.closed`.
    public func close() {
        // The checkpointer and readers first, so the writer is the last connection and its
        // close can fold the WAL back into the database file and remove it.
        checkpointer?.stop()
        reader.close()
        writer.close()
    }
}
