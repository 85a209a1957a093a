import Contracts
import Foundation

/// Everything the relay knows about one freeze request: the request itself, where it was routed,
/// its deadlines, and what the bank said. This is the unit the ledger stores.
public struct RequestRecord: Sendable, Hashable {
    /// The request as the bank needs it (for chain requests: as the relay derived it).
    public var request: FreezeRequest
    /// Canonical content, to tell a harmless re-send from a conflicting one.
    public var fingerprint: ContentFingerprint
    public var state: RequestState
    /// The bank it was routed to; nil while unroutable.
    public var bankID: BankID?
    public var receivedAt: Timestamp
    public var routedAt: Timestamp?
    /// When the bank first answered anything (its acknowledgement, or a final answer straight away).
    public var acknowledgedAt: Timestamp?
    /// When the bank gave a final answer (frozen, partially frozen, rejected, not found, moved).
    public var answeredAt: Timestamp?
    /// When money was first reported blocked.
    public var frozenAt: Timestamp?
    /// When the request reached a final state.
    public var closedAt: Timestamp?
    public var acknowledgeBy: Timestamp?
    public var freezeBy: Timestamp?
    public var frozenAmount: Money?
    public var holdUntil: Timestamp?
    /// The last reason the bank gave (rejections, partial freezes), or why the request is unroutable.
    public var reason: String?

    public init(
        request: FreezeRequest, fingerprint: ContentFingerprint, state: RequestState, bankID: BankID?,
        receivedAt: Timestamp, routedAt: Timestamp? = nil, acknowledgedAt: Timestamp? = nil,
        answeredAt: Timestamp? = nil, frozenAt: Timestamp? = nil, closedAt: Timestamp? = nil,
        acknowledgeBy: Timestamp? = nil, freezeBy: Timestamp? = nil, frozenAmount: Money? = nil,
        holdUntil: Timestamp? = nil, reason: String? = nil
    ) {
        self.request = request
        self.fingerprint = fingerprint
        self.state = state
        self.bankID = bankID
        self.receivedAt = receivedAt
        self.routedAt = routedAt
        self.acknowledgedAt = acknowledgedAt
        self.answeredAt = answeredAt
        self.frozenAt = frozenAt
        self.closedAt = closedAt
        self.acknowledgeBy = acknowledgeBy
        self.freezeBy = freezeBy
        self.frozenAmount = frozenAmount
        self.holdUntil = holdUntil
        self.reason = reason
    }

    public var requestID: UUID { request.requestID }
    public var caseID: String { request.caseID }
    public var hop: Int { request.chain?.hop ?? 0 }
    public var parentRequestID: UUID? { request.chain?.parentRequestID }
    public var iban: IBAN { request.account.iban }

    /// Seconds from receiving the request to the first reported freeze.
    public var secondsToFreeze: Int64? {
        frozenAt.map { receivedAt.seconds(until: $0) }
    }

    /// Whether the bank's final answer came by the freeze deadline (nil while undecided).
    public var answeredInTime: Bool? {
        guard let freezeBy else { return nil }
        if let answeredAt { return answeredAt <= freezeBy }
        return nil
    }
}
