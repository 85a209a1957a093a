import Foundation

/// `request_status` — relay → police on `freeze.status`, Kafka key = `case_id`.
///
/// One event per state change of a request. Conditional rules: `frozen_amount` is required for
/// `frozen` and `partially_frozen`; `escalation` is required for `escalated` and forbidden otherwise.
/// Lists (`children`, `exits`, `linked_cases`) are left out when empty.
public struct RequestStatus: ContractEvent, EventBody {
    /// `request_status`
    public static let eventType = EventType.requestStatus

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The request whose state changed.
    public var requestID: UUID
    /// Its police case.
    public var caseID: String
    /// The bank it is routed to (absent while unroutable).
    public var bankID: BankID?
    /// The new state.
    public var status: StatusKind
    /// Human-readable explanation (for `rejected`: the bank's reason).
    public var detail: String
    /// The event id that caused this change (a bank response, a cancel, a timer event).
    public var causedBy: UUID?
    /// Frozen amount (required for `frozen` / `partially_frozen`).
    public var frozenAmount: Money?
    /// When the hold lapses.
    public var holdUntil: Timestamp?
    /// Parent and hop for chain requests.
    public var chain: ChainPosition?
    /// Follow-up requests created by a `funds_moved` / `partially_frozen` answer.
    public var children: [ChildRequest]
    /// Onward transfers that left the network (crypto, cash, card, foreign accounts).
    public var exits: [ChainExit]
    /// The case's running totals after this change.
    public var caseTotals: CaseTotals?
    /// The escalation raised (required for `escalated`).
    public var escalation: EscalationSummary?
    /// Other police cases that named the same account (on the status of a request the relay has
    /// just received or created; at most ``LinkedCase/maxListed``, most recent first).
    public var linkedCases: [LinkedCase]

    /// Creates a status event.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, caseID: String, bankID: BankID? = nil,
        status: StatusKind, detail: String, causedBy: UUID? = nil, frozenAmount: Money? = nil,
        holdUntil: Timestamp? = nil, chain: ChainPosition? = nil, children: [ChildRequest] = [],
        exits: [ChainExit] = [], caseTotals: CaseTotals? = nil, escalation: EscalationSummary? = nil,
        linkedCases: [LinkedCase] = []
    ) {
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.status = status
        self.detail = detail
        self.causedBy = causedBy
        self.frozenAmount = frozenAmount
        self.holdUntil = holdUntil
        self.chain = chain
        self.children = children
        self.exits = exits
        self.caseTotals = caseTotals
        self.escalation = escalation
        self.linkedCases = linkedCases
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.required("case_id", Read.caseID)
        bankID = try body.optional("bank_id", Read.bankID)
        status = try body.required("status", Read.enumeration(StatusKind.self))
        detail = try body.required("detail", Read.text(maxLength: ContractLimits.detail))
        causedBy = try body.optional("caused_by", Read.uuid)
        frozenAmount = try body.optional("frozen_amount", Read.positiveMoney)
        holdUntil = try body.optional("hold_until", Read.timestamp)
        chain = try ChainPosition.read(from: body)
        children =
            try body.optional("children", Read.list(maxItems: ContractLimits.maxListItems, ChildRequest.read)) ?? []
        exits = try body.optional("exits", Read.list(maxItems: ContractLimits.maxListItems, ChainExit.read)) ?? []
        caseTotals = try body.optional("case_totals", CaseTotals.read)
        escalation = try body.optional("escalation", EscalationSummary.read)
        linkedCases = try body.optional("linked_cases", LinkedCase.readList) ?? []

        if status == .frozen || status == .partiallyFrozen {
            try body.demand("frozen_amount", "when status is \(status.rawValue)")
        }
        if status == .escalated {
            try body.demand("escalation", "when status is escalated")
        } else {
            try body.forbid("escalation", "when status is \(status.rawValue); only escalated carries one")
        }
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.string("bank_id", bankID?.rawValue)
        body.string("status", status.rawValue)
        body.string("detail", detail)
        body.uuid("caused_by", causedBy)
        body.object("frozen_amount", frozenAmount)
        body.timestamp("hold_until", holdUntil)
        chain?.write(into: &body)
        body.list("children", children)
        body.list("exits", exits)
        body.object("case_totals", caseTotals)
        body.object("escalation", escalation)
        body.list("linked_cases", linkedCases)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .requestStatus(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The `status` of a ``RequestStatus``: every state a request can be reported in.
public enum StatusKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Sent to the bank.
    case routed
    /// The bank acknowledged.
    case acknowledged
    /// Frozen in full.
    case frozen
    /// Frozen in part.
    case partiallyFrozen = "partially_frozen"
    /// The bank refused.
    case rejected
    /// No such account at the bank.
    case accountNotFound = "account_not_found"
    /// The money moved on; see `children` and `exits`.
    case fundsMoved = "funds_moved"
    /// The hold was lifted.
    case released
    /// A deadline was missed or something needs a human; see `escalation`.
    case escalated
    /// The police cancelled the request.
    case cancelled
    /// No bank could be found for the account.
    case unroutable
    /// The hold lapses soon.
    case holdExpiring = "hold_expiring"
    /// The police resent the request id with different content; the resend was refused.
    case duplicateConflict = "duplicate_conflict"
    /// A cancel could not be applied (unknown request, already final).
    case cancelRefused = "cancel_refused"
    /// Money left the banking network; see `exits`.
    case chainExit = "chain_exit"
    /// A follow-up request was not created because the chain reached the configured hop limit.
    case chainLimitReached = "chain_limit_reached"
    /// Over an intake quota (the issuer's rate, or the account's open or repeated requests): kept,
    /// not routed, until an operator releases or refuses it.
    case held
    /// An operator refused a held request; it was never routed. Final.
    case refused
}

/// A follow-up request the relay created from an onward transfer.
public struct ChildRequest: Sendable, Hashable, Codable, CanonicalObject {
    /// The child's request id (derived deterministically from parent and transfer reference).
    public var requestID: UUID
    /// The bank it was routed to; absent when no bank is known for the IBAN (the child is then unroutable).
    public var bankID: BankID?
    /// The account followed.
    public var iban: IBAN
    /// The amount followed.
    public var amount: Money

    /// Creates a child entry.
    public init(requestID: UUID, bankID: BankID?, iban: IBAN, amount: Money) {
        self.requestID = requestID
        self.bankID = bankID
        self.iban = iban
        self.amount = amount
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> ChildRequest {
        let fields = try ObjectReader(value, at: path)
        return ChildRequest(
            requestID: try fields.required("request_id", Read.uuid),
            bankID: try fields.optional("bank_id", Read.bankID),
            iban: try fields.required("iban", Read.iban),
            amount: try fields.required("amount", Read.positiveMoney))
    }

    func write(into writer: inout ObjectWriter) {
        writer.uuid("request_id", requestID)
        writer.string("bank_id", bankID?.rawValue)
        writer.string("iban", iban.electronicFormat)
        writer.object("amount", amount)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// An onward transfer that left the network, with the bank that reported it.
public struct ChainExit: Sendable, Hashable, Codable, CanonicalObject {
    /// The bank whose response reported the transfer.
    public var reportedBy: BankID
    /// The transfer.
    public var transfer: OnwardTransfer

    /// Creates an exit entry.
    public init(reportedBy: BankID, transfer: OnwardTransfer) {
        self.reportedBy = reportedBy
        self.transfer = transfer
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> ChainExit {
        let fields = try ObjectReader(value, at: path)
        return ChainExit(
            reportedBy: try fields.required("reported_by", Read.bankID),
            transfer: try fields.required("transfer", OnwardTransfer.read))
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("reported_by", reportedBy.rawValue)
        writer.object("transfer", transfer)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// Running money totals of a case. Zero is allowed here (nothing frozen yet).
public struct CaseTotals: Sendable, Hashable, Codable, CanonicalObject {
    /// Total reported stolen (the amounts of the case's original requests).
    public var stolen: Money
    /// Total currently frozen.
    public var frozen: Money
    /// Total followed into accounts whose banks have not answered finally.
    public var moving: Money
    /// Total that left the network.
    public var exited: Money

    /// Creates totals.
    public init(stolen: Money, frozen: Money, moving: Money, exited: Money) {
        self.stolen = stolen
        self.frozen = frozen
        self.moving = moving
        self.exited = exited
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> CaseTotals {
        let fields = try ObjectReader(value, at: path)
        return CaseTotals(
            stolen: try fields.required("stolen", Read.anyMoney),
            frozen: try fields.required("frozen", Read.anyMoney),
            moving: try fields.required("moving", Read.anyMoney),
            exited: try fields.required("exited", Read.anyMoney))
    }

    func write(into writer: inout ObjectWriter) {
        writer.object("stolen", stolen)
        writer.object("frozen", frozen)
        writer.object("moving", moving)
        writer.object("exited", exited)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The escalation behind an `escalated` status.
public struct EscalationSummary: Sendable, Hashable, Codable, CanonicalObject {
    /// The escalation's id.
    public var escalationID: UUID
    /// Its kind.
    public var kind: EscalationKind
    /// Its level (1 = first).
    public var level: Int

    /// Creates a summary.
    public init(escalationID: UUID, kind: EscalationKind, level: Int) {
        self.escalationID = escalationID
        self.kind = kind
        self.level = level
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> EscalationSummary {
        let fields = try ObjectReader(value, at: path)
        return EscalationSummary(
            escalationID: try fields.required("escalation_id", Read.uuid),
            kind: try fields.required("kind", Read.enumeration(EscalationKind.self)),
            level: try fields.required("level", Read.integer(in: 1...Int64(ContractLimits.maxEscalationLevel))))
    }

    func write(into writer: inout ObjectWriter) {
        writer.uuid("escalation_id", escalationID)
        writer.string("kind", kind.rawValue)
        writer.integer("level", level)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
