import Foundation

/// `bank_response` — bank → relay on `freeze.bank.<bank_id>.responses`, Kafka key = `request_id`.
///
/// Which fields go with which status (the schema states the same with `if`/`then`):
///
/// | status | `frozen_amount` | `hold_until` | `reason` | `onward_transfers` |
/// |---|---|---|---|---|
/// | `acknowledged` | forbidden | forbidden | optional | forbidden |
/// | `frozen` | required | optional | optional | forbidden |
/// | `partially_frozen` | required | optional | optional | optional (≥ 1 item when present) |
/// | `rejected` | forbidden | forbidden | **required** | forbidden |
/// | `account_not_found` | forbidden | forbidden | optional | forbidden |
/// | `funds_moved` | forbidden | forbidden | optional | **required**, ≥ 1 item |
/// | `released` | forbidden | forbidden | optional | forbidden |
///
/// `frozen_amount` is always greater than zero: nothing frozen is `funds_moved`, `rejected` or
/// `account_not_found`, never "frozen 0".
public struct BankResponse: ContractEvent, EventBody {
    /// `bank_response`
    public static let eventType = EventType.bankResponse

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The bank's own id for this answer (its idempotency key), 1–128 characters.
    public var responseID: String
    /// The request answered.
    public var requestID: UUID
    /// What happened.
    public var status: BankResponseStatus
    /// How much is frozen (`frozen` and `partially_frozen` only).
    public var frozenAmount: Money?
    /// Explanation; required for `rejected`.
    public var reason: String?
    /// When the bank answered.
    public var respondedAt: Timestamp
    /// When the hold lapses (`frozen` and `partially_frozen` only).
    public var holdUntil: Timestamp?
    /// Where the money went (`funds_moved`: at least one; `partially_frozen`: optional; otherwise none).
    public var onwardTransfers: [OnwardTransfer]

    /// Creates a bank response; ``EventEncoder`` refuses combinations the table above forbids.
    public init(
        id: UUID, createdAt: Timestamp, responseID: String, requestID: UUID, status: BankResponseStatus,
        frozenAmount: Money? = nil, reason: String? = nil, respondedAt: Timestamp, holdUntil: Timestamp? = nil,
        onwardTransfers: [OnwardTransfer] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.responseID = responseID
        self.requestID = requestID
        self.status = status
        self.frozenAmount = frozenAmount
        self.reason = reason
        self.respondedAt = respondedAt
        self.holdUntil = holdUntil
        self.onwardTransfers = onwardTransfers
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        responseID = try body.required("response_id", Read.label(maxLength: ContractLimits.responseID))
        requestID = try body.required("request_id", Read.uuid)
        status = try body.required("status", Read.enumeration(BankResponseStatus.self))
        frozenAmount = try body.optional("frozen_amount", Read.positiveMoney)
        reason = try body.optional("reason", Read.text(maxLength: ContractLimits.reason))
        respondedAt = try body.required("responded_at", Read.timestamp)
        holdUntil = try body.optional("hold_until", Read.timestamp)
        onwardTransfers =
            try body.optional("onward_transfers", Read.list(maxItems: ContractLimits.maxListItems, OnwardTransfer.read))
            ?? []

        let status = status.rawValue
        if self.status.holdsFunds {
            try body.demand("frozen_amount", "when status is \(status)")
        } else {
            try body.forbid(
                "frozen_amount", "when status is \(status); only frozen and partially_frozen report an amount")
            try body.forbid("hold_until", "when status is \(status); only frozen and partially_frozen have a hold")
        }
        if self.status == .rejected { try body.demand("reason", "when status is rejected") }
        if self.status == .fundsMoved { try body.demand("onward_transfers", "when status is funds_moved") }
        if self.status != .fundsMoved && self.status != .partiallyFrozen {
            try body.forbid(
                "onward_transfers", "when status is \(status); only funds_moved and partially_frozen report transfers")
        }
    }

    func writeBody(into body: inout ObjectWriter) {
        body.string("response_id", responseID)
        body.uuid("request_id", requestID)
        body.string("status", status.rawValue)
        body.object("frozen_amount", frozenAmount)
        body.string("reason", reason)
        body.timestamp("responded_at", respondedAt)
        body.timestamp("hold_until", holdUntil)
        body.list("onward_transfers", onwardTransfers)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .bankResponse(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The `status` of a ``BankResponse``.
public enum BankResponseStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Received and being worked on; stops the acknowledgement clock.
    case acknowledged
    /// The full requested amount (or all that was there) is frozen.
    case frozen
    /// Part is frozen; the rest moved on (see `onward_transfers`) or was never there.
    case partiallyFrozen = "partially_frozen"
    /// The bank refuses; `reason` says why.
    case rejected
    /// No such account at this bank.
    case accountNotFound = "account_not_found"
    /// The money already left; `onward_transfers` says where.
    case fundsMoved = "funds_moved"
    /// A hold was lifted (after a cancel or when it lapsed).
    case released

    /// `frozen` and `partially_frozen`: the statuses that report a frozen amount.
    public var holdsFunds: Bool { self == .frozen || self == .partiallyFrozen }
}
