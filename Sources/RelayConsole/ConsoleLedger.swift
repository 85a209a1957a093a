import Contracts
import Foundation
import Ledger
import Relay

/// What the console reads, and nothing else: every method is a read. `LedgerReader` (read-only
/// SQLite connections, `SQLITE_OPEN_READONLY`) is the real one; tests hand in fixed values.
public protocol ConsoleLedger: Sendable {
    /// Unresolved escalations, oldest raised first.
    func openEscalations(limit: Int) throws -> [EscalationRecord]
    /// A case's requests, money flow and escalations; nil for an unknown case.
    func caseDetail(_ caseID: String) throws -> CaseDetail?
    /// Per-bank service levels judged at `now`.
    func bankStatistics(now: Timestamp) throws -> [BankStatistics]
    /// The newest dead letters first.
    func deadLetters(limit: Int) throws -> [DeadLetterEntry]
    /// The case a request belongs to.
    func caseID(ofRequest requestID: UUID) throws -> String?
    /// Other cases that named an account of this case (mule accounts serve many victims).
    func accountLinks(ofCase caseID: String) throws -> [CaseAccountLink]
}

extension LedgerReader: ConsoleLedger {}
