import Foundation

/// `routed_cancel` — relay → bank on `freeze.bank.<bank_id>.requests`, Kafka key = `request_id`.
///
/// Tells the bank the police withdrew the request; the bank releases any hold and answers `released`.
public struct RoutedCancel: ContractEvent, EventBody {
    /// `routed_cancel`
    public static let eventType = EventType.routedCancel

    /// The relay's event id.
    public var id: UUID
    /// When the relay forwarded it.
    public var createdAt: Timestamp
    /// The request being cancelled.
    public var requestID: UUID
    /// The police case number.
    public var caseID: String
    /// The bank the request was routed to.
    public var bankID: BankID
    /// Why it is cancelled.
    public var reason: String
    /// When the police issued the cancel.
    public var issuedAt: Timestamp
    /// Who issued the cancel.
    public var issuer: Issuer
    /// The police cancel this carries out, with its issuer's signature, when the relay verified one.
    public var authorization: OrderAuthorization?
    /// What the relay checked of the police cancel this carries out (set on every routed cancel,
    /// including one that cancels a chain request).
    public var verification: OrderVerification?
    /// With `unverified`: why (a dead-letter reason code, e.g. `signature_missing`).
    public var verificationReason: String?

    /// Creates a routed cancel.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, caseID: String, bankID: BankID, reason: String,
        issuedAt: Timestamp, issuer: Issuer
    ) {
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.reason = reason
        self.issuedAt = issuedAt
        self.issuer = issuer
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.required("case_id", Read.caseID)
        bankID = try body.required("bank_id", Read.bankID)
        reason = try body.required("reason", Read.text(maxLength: ContractLimits.reason))
        issuedAt = try body.required("issued_at", Read.timestamp)
        issuer = try body.required("issuer", Issuer.read)
        let order = try PoliceOrderFields(reading: body)
        (authorization, verification, verificationReason) = (
            order.authorization, order.verification, order.verificationReason
        )
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.string("bank_id", bankID.rawValue)
        body.string("reason", reason)
        body.timestamp("issued_at", issuedAt)
        body.object("issuer", issuer)
        PoliceOrderFields(
            authorization: authorization, verification: verification, verificationReason: verificationReason
        ).write(into: &body)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .routedCancel(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
