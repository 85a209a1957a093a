import Foundation

/// `routed_request` — relay → bank on `freeze.bank.<bank_id>.requests`, Kafka key = `request_id`.
///
/// The freeze request as the bank needs it, plus the deadlines the bank is held to. The envelope
/// `id` is the relay's event id; a bank's answer refers to the `request_id`, not to it.
public struct RoutedRequest: ContractEvent, EventBody {
    /// `routed_request`
    public static let eventType = EventType.routedRequest

    /// The relay's event id.
    public var id: UUID
    /// When the relay routed it.
    public var createdAt: Timestamp
    /// The request id (the bank answers with it).
    public var requestID: UUID
    /// The police case number.
    public var caseID: String
    /// The bank it is routed to.
    public var bankID: BankID
    /// How urgent the freeze is.
    public var priority: Priority
    /// When the police issued the original request.
    public var issuedAt: Timestamp
    /// Who issued it.
    public var issuer: Issuer
    /// The legal basis.
    public var legalBasis: String
    /// The account to freeze.
    public var account: TargetAccount
    /// The amount to freeze.
    public var amount: Money
    /// The transaction being traced (for chain requests: the onward transfer into this account).
    public var fraudTransaction: FraudTransaction
    /// Parent and hop for chain requests.
    public var chain: ChainPosition?
    /// Requested hold, in hours.
    public var requestedHoldHours: Int?
    /// The bank must acknowledge by then.
    public var acknowledgeBy: Timestamp
    /// The bank must freeze (or answer finally) by then.
    public var freezeBy: Timestamp
    /// The police order this carries out, with its issuer's signature, when the relay verified
    /// one (absent for chain requests, which the relay makes from a bank's answer).
    public var authorization: OrderAuthorization?
    /// What the relay checked of the police order when it read it; a request routed later
    /// (`retry-unroutable`) says the same as if routed at once. Absent on chain requests, and on
    /// requests kept unroutable before ledger schema 10 and routed after it.
    public var verification: OrderVerification?
    /// With `unverified`: why (a dead-letter reason code, e.g. `signature_missing`).
    public var verificationReason: String?

    /// Creates a routed request.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, caseID: String, bankID: BankID, priority: Priority,
        issuedAt: Timestamp, issuer: Issuer, legalBasis: String, account: TargetAccount, amount: Money,
        fraudTransaction: FraudTransaction, chain: ChainPosition? = nil, requestedHoldHours: Int? = nil,
        acknowledgeBy: Timestamp, freezeBy: Timestamp
    ) {
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.priority = priority
        self.issuedAt = issuedAt
        self.issuer = issuer
        self.legalBasis = legalBasis
        self.account = account
        self.amount = amount
        self.fraudTransaction = fraudTransaction
        self.chain = chain
        self.requestedHoldHours = requestedHoldHours
        self.acknowledgeBy = acknowledgeBy
        self.freezeBy = freezeBy
    }

    /// Builds the routed form of a freeze request.
    public init(
        routing request: FreezeRequest, id: UUID, createdAt: Timestamp, bankID: BankID,
        acknowledgeBy: Timestamp, freezeBy: Timestamp
    ) {
        self.init(
            id: id, createdAt: createdAt, requestID: request.requestID, caseID: request.caseID, bankID: bankID,
            priority: request.priority, issuedAt: request.issuedAt, issuer: request.issuer,
            legalBasis: request.legalBasis, account: request.account, amount: request.amount,
            fraudTransaction: request.fraudTransaction, chain: request.chain,
            requestedHoldHours: request.requestedHoldHours, acknowledgeBy: acknowledgeBy, freezeBy: freezeBy)
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.required("case_id", Read.caseID)
        bankID = try body.required("bank_id", Read.bankID)
        priority = try body.required("priority", Read.enumeration(Priority.self))
        issuedAt = try body.required("issued_at", Read.timestamp)
        issuer = try body.required("issuer", Issuer.read)
        legalBasis = try body.required("legal_basis", Read.text(maxLength: ContractLimits.legalBasis))
        account = try body.required("account", TargetAccount.read)
        amount = try body.required("amount", Read.positiveMoney)
        fraudTransaction = try body.required("fraud_transaction", FraudTransaction.read)
        chain = try ChainPosition.read(from: body)
        requestedHoldHours = try body.optional(
            "requested_hold_hours", Read.integer(in: 1...Int64(ContractLimits.maxHoldHours)))
        acknowledgeBy = try body.required("acknowledge_by", Read.timestamp)
        freezeBy = try body.required("freeze_by", Read.timestamp)
        let order = try PoliceOrderFields(reading: body)
        (authorization, verification, verificationReason) = (
            order.authorization, order.verification, order.verificationReason
        )
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.string("bank_id", bankID.rawValue)
        body.string("priority", priority.rawValue)
        body.timestamp("issued_at", issuedAt)
        body.object("issuer", issuer)
        body.string("legal_basis", legalBasis)
        body.object("account", account)
        body.object("amount", amount)
        body.object("fraud_transaction", fraudTransaction)
        chain?.write(into: &body)
        body.integer("requested_hold_hours", requestedHoldHours)
        body.timestamp("acknowledge_by", acknowledgeBy)
        body.timestamp("freeze_by", freezeBy)
        PoliceOrderFields(
            authorization: authorization, verification: verification, verificationReason: verificationReason
        ).write(into: &body)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .routedRequest(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
