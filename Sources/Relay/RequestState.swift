import Contracts

/// Where a freeze request stands. Stored in the ledger and reported to police.
public enum RequestState: String, Sendable, Hashable, CaseIterable, Codable {
    /// No bank in the routing table takes the account's bank code (or that bank is disabled).
    /// Kept until `retry-unroutable` routes it.
    case unroutable
    /// Sent to the bank; no answer yet.
    case routed
    /// The bank confirmed it received the request.
    case acknowledged
    /// The whole requested amount is blocked.
    case frozen
    /// Part of the amount is blocked (by balance); more may follow.
    case partiallyFrozen = "partially_frozen"
    /// The bank refused (reason given). Final.
    case rejected
    /// No such account at the bank. Final.
    case accountNotFound = "account_not_found"
    /// The money had already left; the bank said where it went. Final for this account.
    case fundsMoved = "funds_moved"
    /// The bank lifted the hold. Final.
    case released
    /// Police withdrew the request. Final.
    case cancelled
    /// Over an intake quota: kept, not routed, until an operator releases it (it is then routed)
    /// or refuses it.
    case held
    /// An operator refused a held request. Final; no bank heard of it.
    case refused

    /// Nothing more is expected from the bank.
    public var isFinal: Bool {
        switch self {
        case .rejected, .accountNotFound, .fundsMoved, .released, .cancelled, .refused: true
        case .unroutable, .held, .routed, .acknowledged, .frozen, .partiallyFrozen: false
        }
    }

    /// Kept, not yet sent to any bank (unroutable, or held over a quota): no bank may answer it,
    /// and whatever routes it later needs what the relay judged of its police order when it was
    /// read (the ledger's pending judgement).
    public var awaitsRouting: Bool { self == .unroutable || self == .held }

    /// Sent to a bank and waiting for its first answer or its final answer.
    public var awaitsBank: Bool { self == .routed || self == .acknowledged }

    /// Money is blocked under this request.
    public var holdsFunds: Bool { self == .frozen || self == .partiallyFrozen }

    /// The state a bank answer moves a request to.
    public init(_ status: BankResponseStatus) {
        switch status {
        case .acknowledged: self = .acknowledged
        case .frozen: self = .frozen
        case .partiallyFrozen: self = .partiallyFrozen
        case .rejected: self = .rejected
        case .accountNotFound: self = .accountNotFound
        case .fundsMoved: self = .fundsMoved
        case .released: self = .released
        }
    }

    /// The status police see for this state.
    public var statusKind: StatusKind {
        switch self {
        case .unroutable: .unroutable
        case .held: .held
        case .refused: .refused
        case .routed: .routed
        case .acknowledged: .acknowledged
        case .frozen: .frozen
        case .partiallyFrozen: .partiallyFrozen
        case .rejected: .rejected
        case .accountNotFound: .accountNotFound
        case .fundsMoved: .fundsMoved
        case .released: .released
        case .cancelled: .cancelled
        }
    }
}
