import Synchronization

/// Read-only connections to one ledger file.
///
/// A caller checks a connection out, uses it alone, and checks it back in. When none is idle a
/// new one is opened instead of waiting: SQLite connections are cheap, and in WAL mode readers
/// never block each other or the writer. At most `maxIdleReaders` are kept between uses.
package final class ReaderPool: Sendable {
    package let path: String
    private let configuration: LedgerConfiguration
    private let state: Mutex<State>

    private struct State {
        var idle: [Connection]
        var isClosed = false
    }

    package init(path: String, configuration: LedgerConfiguration, idle: [Connection] = []) {
        self.path = path
        self.configuration = configuration
        self.state = Mutex(State(idle: idle))
    }

    package func checkout() throws(LedgerError) -> Connection {
        let reused = try state.withLock { state throws(LedgerError) -> Connection? in
            guard !state.isClosed else { throw .closed(path: path) }
            return state.idle.popLast()
        }
        if let reused { return reused }
        return try Connection.open(path: path, mode: .reader, busyTimeout: configuration.busyTimeout)
    }

    package func checkin(_ connection: Connection) {
        // Never hand the next caller a connection that still pins an old snapshot.
        connection.rollbackIfInTransaction()
        let kept = state.withLock { state in
            guard !state.isClosed, state.idle.count < configuration.maxIdleReaders else { return false }
            state.idle.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    package func withConnection<Result>(_ body: (Connection) throws(LedgerError) -> Result) throws(LedgerError)
        -> Result
    {
        let connection = try checkout()
        defer { checkin(connection) }
        return try body(connection)
    }

    /// Closes idle connections now; connections still checked out close when they come back.
    package func close() {
        let idle = state.withLock { state in
            state.isClosed = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for connection in idle { connection.close() }
    }
}
