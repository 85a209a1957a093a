import Contracts
import Foundation
import Ledger
import Relay

/// A request that `retryUnroutable` routed.
public struct RetriedRequest: Sendable, Hashable {
    public var requestID: UUID
    public var caseID: String
    public var bankID: BankID

    public init(requestID: UUID, caseID: String, bankID: BankID) {
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
    }
}

/// Maintenance the daemon performs on a signal and the operator CLI performs offline; one
/// implementation, so both decide exactly alike.
public enum RelayMaintenance {
    /// Routes every request kept as unroutable that `policy`'s routing table now covers, in one
    /// ledger transaction: state, timers, resolved `unroutable` escalations, audit rows, and the
    /// events (routed request, status, escalation resolved) queued in the outbox. Each routed
    /// request carries what the relay judged of its police order when it read it (the ledger's
    /// pending judgement, which goes once routed). Requests the table still does not cover stay
    /// as they are.
    public static func retryUnroutable(ledger: Ledger, policy: RelayPolicy, clock: any RelayClock) throws
        -> [RetriedRequest]
    {
        let engine = RelayEngine(policy: policy)
        let now = clock.now()
        return try ledger.write { tx in
            var routed: [RetriedRequest] = []
            for record in try tx.unroutableRequests() {
                // The nonce keeps ids of separate retries apart while a retry decided again
                // (after a crash before commit) derives the same ids.
                let cause = Cause.command(
                    "retry-unroutable", nonce: "\(CanonicalUUID.string(record.requestID)):\(now.rfc3339)")
                // With the judgement of its police order kept since it was read, so that the bank
                // gets the proof it would have got had the request been routed at once.
                let context = RelayEngine.RequestContext(
                    record: record, openEscalations: try tx.openEscalations(of: record.requestID),
                    pendingJudgement: try tx.pendingJudgement(of: record.requestID))
                let effects = engine.retryUnroutable(
                    context, case: try tx.caseContext(record.caseID), cause: cause, now: now)
                guard effects.outcome == .routed, let bank = effects.requests.first?.bankID else { continue }
                try tx.commit(effects, cause: cause, policy: engine.policy, at: now)
                routed.append(RetriedRequest(requestID: record.requestID, caseID: record.caseID, bankID: bank))
            }
            return routed
        }
    }
}
