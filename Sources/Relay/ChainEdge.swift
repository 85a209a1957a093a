import Contracts
import Foundation

/// What the relay did with one onward transfer a bank reported.
public enum EdgeOutcome: Sendable, Hashable {
    /// A child request was created for the receiving account.
    case child(UUID)
    /// The receiving account is already under a request in this case (money joining, or a
    /// cycle back to an earlier account): no second request.
    case join(UUID)
    /// The money left the network of participating banks.
    case exit(ExitReason)
    /// A configured limit stopped following it.
    case limit(LimitReason)

    public var name: String {
        switch self {
        case .child: "child"
        case .join: "join"
        case .exit(let reason): "exit:\(reason.rawValue)"
        case .limit(let reason): "limit:\(reason.rawValue)"
        }
    }
}

/// Why a chain ends at a transfer.
public enum ExitReason: String, Sendable, Hashable, CaseIterable {
    case cryptoWallet = "crypto_wallet"
    case cashWithdrawal = "cash_withdrawal"
    case card
    /// An IBAN at a bank not in the routing table.
    case nonParticipatingBank = "non_participating_bank"
    /// An IBAN at a bank in the table that is currently disabled.
    case disabledBank = "disabled_bank"
}

/// Which limit stopped a transfer from being followed.
public enum LimitReason: String, Sendable, Hashable, CaseIterable {
    case maxHops = "max_hops"
    case maxChildrenPerAnswer = "max_children_per_answer"
    case minimumAmount = "minimum_amount"
}

/// One movement of money between accounts of a case, as a bank reported it, and what came of it.
public struct ChainEdge: Sendable, Hashable {
    public var caseID: String
    public var fromRequestID: UUID
    public var reportedBy: BankID
    public var transfer: OnwardTransfer
    public var outcome: EdgeOutcome
    public var recordedAt: Timestamp

    public init(
        caseID: String, fromRequestID: UUID, reportedBy: BankID, transfer: OnwardTransfer, outcome: EdgeOutcome,
        recordedAt: Timestamp
    ) {
        self.caseID = caseID
        self.fromRequestID = fromRequestID
        self.reportedBy = reportedBy
        self.transfer = transfer
        self.outcome = outcome
        self.recordedAt = recordedAt
    }
}

/// What the relay knows about a whole case: needed to follow money without requesting an
/// account twice, and to keep the case's accounting current.
public struct CaseContext: Sendable, Hashable {
    public var caseID: String
    public var requests: [RequestRecord]
    public var edges: [ChainEdge]

    public init(caseID: String, requests: [RequestRecord] = [], edges: [ChainEdge] = []) {
        self.caseID = caseID
        self.requests = requests
        self.edges = edges
    }

    /// The request already covering an account in this case, if any.
    public func request(for iban: IBAN) -> RequestRecord? {
        requests.first { $0.iban == iban }
    }

    /// This context with a request added or replaced.
    func with(_ record: RequestRecord) -> CaseContext {
        var copy = self
        if let index = copy.requests.firstIndex(where: { $0.requestID == record.requestID }) {
            copy.requests[index] = record
        } else {
            copy.requests.append(record)
        }
        return copy
    }

    func with(edges more: [ChainEdge]) -> CaseContext {
        var copy = self
        for edge in more
        where !copy.edges.contains(where: {
            $0.fromRequestID == edge.fromRequestID && $0.transfer.reference == edge.transfer.reference
        }) {
            copy.edges.append(edge)
        }
        return copy
    }
}
