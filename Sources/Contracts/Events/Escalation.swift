import Foundation

/// `escalation` — relay → operators on `freeze.escalations`, Kafka key = `case_id`
/// (the `request_id` for `foreign_response`, whose case may be unknown).
///
/// Conditional rules (stated the same way in the schema):
/// - `bank_id` is required for every kind except `unroutable` and `unauthenticated_order`, where it is
///   forbidden (no bank was asked);
/// - `case_id` is required for every kind except `foreign_response` (a response to a request the relay
///   does not know, or that was routed to another bank, may have no case), `unauthenticated_order`
///   (a refused cancel need not name its case) and `unauthenticated_answer` (the answer may name a
///   request the relay does not know);
/// - `ack_overdue` and `freeze_overdue` require `deadline` and `overdue_seconds`;
/// - `hold_expiring` requires `deadline` (when the hold lapses);
/// - `chain_exit` requires `exit`; other kinds must not carry one.
public struct Escalation: ContractEvent, EventBody {
    /// `escalation`
    public static let eventType = EventType.escalation

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// Stable id of this escalation (a higher level of the same problem gets a new one).
    public var escalationID: UUID
    /// What happened.
    public var kind: EscalationKind
    /// 1 for the first escalation of a problem, higher as it stays unresolved.
    public var level: Int
    /// The bank concerned.
    public var bankID: BankID?
    /// The request concerned.
    public var requestID: UUID
    /// The police case concerned.
    public var caseID: String?
    /// The deadline missed, or the moment a hold lapses.
    public var deadline: Timestamp?
    /// Seconds past the deadline at `raised_at`.
    public var overdueSeconds: Int?
    /// When the relay raised it.
    public var raisedAt: Timestamp
    /// The bank's escalation contact from configuration.
    public var contact: Contact?
    /// Human-readable explanation.
    public var detail: String
    /// For `chain_exit`: the transfer that left the network and the bank that reported it.
    public var exit: ChainExit?

    /// Creates an escalation.
    public init(
        id: UUID, createdAt: Timestamp, escalationID: UUID, kind: EscalationKind, level: Int,
        bankID: BankID? = nil, requestID: UUID, caseID: String? = nil, deadline: Timestamp? = nil,
        overdueSeconds: Int? = nil, raisedAt: Timestamp, contact: Contact? = nil, detail: String,
        exit: ChainExit? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.escalationID = escalationID
        self.kind = kind
        self.level = level
        self.bankID = bankID
        self.requestID = requestID
        self.caseID = caseID
        self.deadline = deadline
        self.overdueSeconds = overdueSeconds
        self.raisedAt = raisedAt
        self.contact = contact
        self.detail = detail
        self.exit = exit
    }

    /// Upper bound of `overdue_seconds`: ten years.
    public static let maxOverdueSeconds = 315_360_000

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        escalationID = try body.required("escalation_id", Read.uuid)
        kind = try body.required("kind", Read.enumeration(EscalationKind.self))
        level = try body.required("level", Read.integer(in: 1...Int64(ContractLimits.maxEscalationLevel)))
        bankID = try body.optional("bank_id", Read.bankID)
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.optional("case_id", Read.caseID)
        deadline = try body.optional("deadline", Read.timestamp)
        overdueSeconds = try body.optional("overdue_seconds", Read.integer(in: 0...Int64(Self.maxOverdueSeconds)))
        raisedAt = try body.required("raised_at", Read.timestamp)
        contact = try body.optional("contact", Contact.read)
        detail = try body.required("detail", Read.text(maxLength: ContractLimits.detail))
        exit = try body.optional("exit", ChainExit.read)

        let kindName = kind.rawValue
        if kind.namesNoBank {
            try body.forbid("bank_id", "when kind is \(kindName)")
        } else {
            try body.demand("bank_id", "when kind is \(kindName)")
        }
        if ![.foreignResponse, .unauthenticatedOrder, .unauthenticatedAnswer].contains(kind) {
            try body.demand("case_id", "when kind is \(kindName)")
        }
        if kind == .ackOverdue || kind == .freezeOverdue || kind == .holdExpiring {
            try body.demand("deadline", "when kind is \(kindName)")
        }
        if kind == .ackOverdue || kind == .freezeOverdue {
            try body.demand("overdue_seconds", "when kind is \(kindName)")
        }
        if kind == .chainExit {
            try body.demand("exit", "when kind is chain_exit")
        } else {
            try body.forbid("exit", "when kind is \(kindName); only chain_exit carries one")
        }
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("escalation_id", escalationID)
        body.string("kind", kind.rawValue)
        body.integer("level", level)
        body.string("bank_id", bankID?.rawValue)
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.timestamp("deadline", deadline)
        body.integer("overdue_seconds", overdueSeconds)
        body.timestamp("raised_at", raisedAt)
        body.object("contact", contact)
        body.string("detail", detail)
        body.object("exit", exit)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .escalation(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The `kind` of an ``Escalation``.
public enum EscalationKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The bank did not acknowledge by `acknowledge_by`.
    case ackOverdue = "ack_overdue"
    /// The bank did not freeze (or answer finally) by `freeze_by`.
    case freezeOverdue = "freeze_overdue"
    /// The bank rejected the request.
    case rejected
    /// No bank is known for the account.
    case unroutable
    /// A bank answered a request that was not routed to it.
    case foreignResponse = "foreign_response"
    /// Money left the banking network.
    case chainExit = "chain_exit"
    /// A hold lapses soon.
    case holdExpiring = "hold_expiring"
    /// A configured limit (hop depth, children per answer, minimum amount) stopped the relay
    /// from following money further.
    case chainLimit = "chain_limit"
    /// An order was refused because it could not be attributed to a registered issuer (missing
    /// or bad signature, unknown or expired key, issuer not allowed for the agency): a security event.
    case unauthenticatedOrder = "unauthenticated_order"
    /// A bank's answer was refused because its signature did not check out against the bank's
    /// registered keys (where the bank's answers must be signed): a security event.
    case unauthenticatedAnswer = "unauthenticated_answer"
    /// A police request was held because it is over an intake quota (the issuer's requests per
    /// minute or per day, or the account's open or repeated requests); an operator releases or
    /// refuses it.
    case quotaExceeded = "quota_exceeded"

    /// Raised before any bank was asked, so the escalation must not name one.
    public var namesNoBank: Bool { self == .unroutable || self == .unauthenticatedOrder || self == .quotaExceeded }
}

/// A bank's escalation contact, from the relay's configuration. At least one field is present.
public struct Contact: Sendable, Hashable, Codable, CanonicalObject {
    /// Person or desk name.
    public var name: String?
    /// E-mail address.
    public var email: String?
    /// Phone number: digits, spaces, `(`, `)`, `-`, optional leading `+`.
    public var phone: String?

    /// Creates a contact.
    public init(name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> Contact {
        let fields = try ObjectReader(value, at: path)
        let contact = Contact(
            name: try fields.optional("name", Read.label(maxLength: 200)),
            email: try fields.optional("email", readEmail),
            phone: try fields.optional("phone", readPhone))
        guard contact.name != nil || contact.email != nil || contact.phone != nil else {
            throw ContractError.violation(path, "must have at least one of name, email, phone")
        }
        return contact
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("name", name)
        writer.string("email", email)
        writer.string("phone", phone)
    }

    /// `^[^@ controls]+@[^@ controls]+$`, at most 254 characters.
    static func readEmail(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        let scalars = Array(text.unicodeScalars)
        let parts = scalars.split(separator: "@", omittingEmptySubsequences: false)
        let valid =
            scalars.count <= 254 && parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty && !part.contains { TextRules.isControl($0) || $0 == " " }
            }
        guard valid else { throw ContractError.violation(path, "must be an e-mail address like desk@bank.kz") }
        return text
    }

    /// `^\+?[0-9][0-9 ()-]{1,30}[0-9]$`
    static func readPhone(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
        let valid =
            (3...32).contains(bytes.count) && isDigit(bytes.first!) && isDigit(bytes.last!)
            && bytes.allSatisfy {
                isDigit($0) || $0 == 0x20 || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")")
                    || $0 == UInt8(ascii: "-")
            }
        guard valid else {
            throw ContractError.violation(
                path, "must be a phone number: digits with optional leading +, spaces, parentheses and hyphens")
        }
        return text
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
