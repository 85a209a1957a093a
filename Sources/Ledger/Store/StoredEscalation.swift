import Contracts
import Foundation
import Relay

/// An escalation as the ledger keeps it: the record, and how it ended if it has.
public struct StoredEscalation: Sendable, Hashable {
    public var record: EscalationRecord
    /// When it was resolved; nil while it is open.
    public var resolvedAt: Timestamp?
    /// How it was resolved; nil while it is open.
    public var resolution: EscalationResolution?

    public init(record: EscalationRecord, resolvedAt: Timestamp?, resolution: EscalationResolution?) {
        self.record = record
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }

    /// Not resolved yet.
    public var isOpen: Bool { resolvedAt == nil }
}

extension EscalationRows {
    static func stored(_ row: Row) throws -> StoredEscalation {
        let resolution: String? = try row["resolution"]
        return StoredEscalation(
            record: try record(row),
            resolvedAt: Stored.timestamp(try row["resolved_at"] as Int64?),
            resolution: try resolution.map { text throws(LedgerError) in
                try Stored.enumeration(EscalationResolution.self, text, column: "escalations.resolution")
            })
    }
}
