import Foundation

/// `freeze_request` — police → relay on `freeze.requests`, Kafka key = `request_id`.
///
/// `request_id` is the idempotency key: the same id with the same content (see ``ContentFingerprint``)
/// is a duplicate and ignored; the same id with different content is refused.
public struct FreezeRequest: ContractEvent, EventBody {
    /// `freeze_request`
    public static let eventType = EventType.freezeRequest

    /// Envelope id (unique per event; a resend of the same request gets a new one).
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The request's id and idempotency key.
    public var requestID: UUID
    /// The police case number (free-form, 1–64 characters).
    public var caseID: String
    /// When the police issued the request.
    public var issuedAt: Timestamp
    /// How urgent the freeze is.
    public var priority: Priority
    /// Who issued it.
    public var issuer: Issuer
    /// The legal basis: the reference of the decision that authorises the freeze.
    public var legalBasis: String
    /// The account to freeze.
    public var account: TargetAccount
    /// The amount to freeze (always greater than zero).
    public var amount: Money
    /// The fraudulent transaction being traced.
    public var fraudTransaction: FraudTransaction
    /// Set by the relay on chain requests; `nil` for requests from the police.
    public var chain: ChainPosition?
    /// How long the police ask the bank to hold the funds, in hours.
    public var requestedHoldHours: Int?

    /// Creates a freeze request.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, caseID: String, issuedAt: Timestamp,
        priority: Priority, issuer: Issuer, legalBasis: String, account: TargetAccount, amount: Money,
        fraudTransaction: FraudTransaction, chain: ChainPosition? = nil, requestedHoldHours: Int? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.caseID = caseID
        self.issuedAt = issuedAt
        self.priority = priority
        self.issuer = issuer
        self.legalBasis = legalBasis
        self.account = account
        self.amount = amount
        self.fraudTransaction = fraudTransaction
        self.chain = chain
        self.requestedHoldHours = requestedHoldHours
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.required("case_id", Read.caseID)
        issuedAt = try body.required("issued_at", Read.timestamp)
        priority = try body.required("priority", Read.enumeration(Priority.self))
        issuer = try body.required("issuer", Issuer.read)
        legalBasis = try body.required("legal_basis", Read.text(maxLength: ContractLimits.legalBasis))
        account = try body.required("account", TargetAccount.read)
        amount = try body.required("amount", Read.positiveMoney)
        fraudTransaction = try body.required("fraud_transaction", FraudTransaction.read)
        chain = try ChainPosition.read(from: body)
        requestedHoldHours = try body.optional(
            "requested_hold_hours", Read.integer(in: 1...Int64(ContractLimits.maxHoldHours)))
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.timestamp("issued_at", issuedAt)
        body.string("priority", priority.rawValue)
        body.object("issuer", issuer)
        body.string("legal_basis", legalBasis)
        body.object("account", account)
        body.object("amount", amount)
        body.object("fraud_transaction", fraudTransaction)
        chain?.write(into: &body)
        body.integer("requested_hold_hours", requestedHoldHours)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .freezeRequest(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
