import Authenticity
import Contracts
import Foundation

/// Refusals for want of a valid signature that share one open escalation: the same escalation
/// kind, the same failure code, and the same sender (the order's agency, or the bank whose
/// responses topic the answer came from).
///
/// A flood of forgeries must not open one escalation per record: only operators close security
/// escalations, so each would stay open. While a group's escalation is open, further refusals of
/// the group are counted on it and it is sent again only when the count reaches 10, 100, 1000…,
/// so the escalations topic grows with the logarithm of the flood. Every refusal still gets its
/// dead letter and its security audit entry.
public struct SecurityEscalationGroup: Sendable, Hashable {
    /// Stands for every agency the issuer registry does not list: whoever forges orders chooses
    /// the agency's name freely, so grouping by it would bound nothing.
    public static let unregisteredAgency = "(unregistered agency)"

    public var kind: EscalationKind
    public var failure: AuthenticityFailure
    /// `agency <name>` for orders (or ``unregisteredAgency``), `bank <id>` for answers.
    public var sender: String

    public init(kind: EscalationKind, failure: AuthenticityFailure, sender: String) {
        (self.kind, self.failure, self.sender) = (kind, failure, sender)
    }

    /// The key the ledger finds the group's open escalation by.
    public var key: String { "\(kind.rawValue) \(failure.rawValue) \(sender)" }

    /// Whether the escalation is sent again when `refusals` refusals were counted on it: at
    /// 10, 100, 1000 and every further power of ten (the first refusal opened it and sent it).
    public static func isReported(afterRefusals refusals: Int) -> Bool {
        guard refusals >= 10 else { return false }
        var rest = refusals
        while rest % 10 == 0 { rest /= 10 }
        return rest == 1
    }
}

/// A group's escalation while it is open, as the ledger keeps it.
public struct OpenSecurityEscalation: Sendable, Hashable {
    public var record: EscalationRecord
    /// Refusals counted on it so far, the one that opened it included.
    public var refusals: Int

    public init(record: EscalationRecord, refusals: Int) {
        (self.record, self.refusals) = (record, refusals)
    }
}

/// A refusal counted on its group's escalation: the ledger stores the group and the count with
/// the escalation, in the decision's transaction.
public struct SecurityTally: Sendable, Hashable {
    public var escalationID: UUID
    /// ``SecurityEscalationGroup/key``.
    public var group: String
    /// The count after this refusal (absolute, so deciding the same record again writes the same).
    public var refusals: Int

    public init(escalationID: UUID, group: String, refusals: Int) {
        (self.escalationID, self.group, self.refusals) = (escalationID, group, refusals)
    }
}

extension RelayEngine {
    /// The group a refused order's escalation belongs to.
    public func securityGroup(of order: PoliceMessage, problem: AuthenticityProblem) -> SecurityEscalationGroup {
        let agency = order.agencyAndIssuedAt.agency
        let sender =
            policy.issuers.listsAgency(agency) ? "agency \(agency)" : SecurityEscalationGroup.unregisteredAgency
        return SecurityEscalationGroup(kind: .unauthenticatedOrder, failure: problem.failure, sender: sender)
    }

    /// The group a refused answer's escalation belongs to.
    public func securityGroup(ofAnswerFrom bank: BankID, problem: AuthenticityProblem) -> SecurityEscalationGroup {
        SecurityEscalationGroup(kind: .unauthenticatedAnswer, failure: problem.failure, sender: "bank \(bank.rawValue)")
    }
}
