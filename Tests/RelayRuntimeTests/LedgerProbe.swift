import Contracts
import Foundation
import Relay

@testable import Ledger

/// Direct looks into the ledger for assertions (read-only connection; safe while the daemon runs).
extension Harness {
    func openDeadlines(of request: UUID) throws -> [String] {
        try readLedger { reader in
            try reader.read { db in
                try db.query(
                    "SELECT kind || '/' || level AS d FROM deadlines WHERE request_id = ? AND status = 'open'",
                    [CanonicalUUID.string(request)]
                ) { row in
                    try row["d"] as String
                }
            }
        }
    }

    func requestState(_ request: UUID) throws -> RequestState? {
        try readLedger { reader in
            try reader.read { db in
                try db.scalar(
                    "SELECT state FROM requests WHERE request_id = ?", [CanonicalUUID.string(request)], as: String.self
                )
                .flatMap(RequestState.init(rawValue:))
            }
        }
    }

    func securityAuditCount() throws -> Int {
        try readLedger { reader in
            try reader.read { db in try db.scalar("SELECT count(*) FROM audit WHERE security = 1", as: Int.self) ?? 0 }
        }
    }

    func securityAuditDetails() throws -> [String] {
        try readLedger { reader in
            try reader.read { db in
                try db.query("SELECT detail FROM audit WHERE security = 1 ORDER BY rowid") { row in
                    try row["detail"] as String
                }
            }
        }
    }

    func auditDetails(of request: UUID) throws -> [String] {
        try readLedger { reader in
            try reader.read { db in
                try db.query(
                    "SELECT detail FROM audit WHERE request_id = ? ORDER BY rowid", [CanonicalUUID.string(request)]
                ) { row in try row["detail"] as String }
            }
        }
    }

    func count(_ table: String, where condition: String = "1") throws -> Int {
        try readLedger { reader in
            try reader.read { db in try db.scalar("SELECT count(*) FROM \(table) WHERE \(condition)", as: Int.self) ?? 0
            }
        }
    }

    /// Changes the ledger behind the daemon's back, through a connection of its own: only for
    /// tests that damage a row the way a hand edit would.
    func writeLedger(_ sql: String) throws {
        let connection = try Connection.open(path: ledgerPath, mode: .writer, busyTimeout: .seconds(10))
        defer { connection.close() }
        try connection.runScript(sql)
    }
}
