import Contracts
import Foundation
import Relay

/// The operator queries of `LedgerReader`, on the daemon's own ledger: each runs on a
/// read-only connection from `reader`, never on the writer.
extension Ledger {
    /// See `LedgerReader.cases(filter:)`.
    public func cases(filter: CaseFilter) throws -> [CaseSummary] { try reader.cases(filter: filter) }

    /// See `LedgerReader.caseDetail(_:)`.
    public func caseDetail(_ caseID: String) throws -> CaseDetail? { try reader.caseDetail(caseID) }

    /// See `LedgerReader.requestAudit(_:)`.
    public func requestAudit(_ requestID: UUID) throws -> [AuditRecord] { try reader.requestAudit(requestID) }

    /// See `LedgerReader.bankStatistics(now:)`.
    public func bankStatistics(now: Timestamp) throws -> [BankStatistics] { try reader.bankStatistics(now: now) }

    /// See `LedgerReader.openEscalations(limit:)`.
    public func openEscalations(limit: Int) throws -> [EscalationRecord] { try reader.openEscalations(limit: limit) }

    /// See `LedgerReader.metricsSnapshot(now:)`.
    public func metricsSnapshot(now: Timestamp) throws -> MetricsSnapshot { try reader.metricsSnapshot(now: now) }

    /// See `LedgerReader.recentLatencies(since:until:)`.
    public func recentLatencies(since: Timestamp, until: Timestamp? = nil) throws -> [BankLatencies] {
        try reader.recentLatencies(since: since, until: until)
    }
}
