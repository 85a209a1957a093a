import Foundation

/// `freeze_cancel` — police → relay on `freeze.requests`, Kafka key = `request_id`.
///
/// Withdraws a freeze request. The relay forwards it to the bank as a ``RoutedCancel``.
public struct FreezeCancel: ContractEvent, EventBody {
    /// `freeze_cancel`
    public static let eventType = EventType.freezeCancel

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The request to cancel.
    public var requestID: UUID
    /// Why it is cancelled.
    public var reason: String
    /// When the police issued the cancel.
    public var issuedAt: Timestamp
    /// Who issued it.
    public var issuer: Issuer
    /// The case the request belongs to, if the sender gives it: lets the relay answer a cancel
    /// for a request it never received with a `cancel_refused` status on the case's key.
    public var caseID: String?

    /// Creates a cancel.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, reason: String, issuedAt: Timestamp, issuer: Issuer,
        caseID: String? = nil
    ) {
        self.caseID = caseID
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.reason = reason
        self.issuedAt = issuedAt
        self.issuer = issuer
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        reason = try body.required("reason", Read.text(maxLength: ContractLimits.reason))
        issuedAt = try body.required("issued_at", Read.timestamp)
        issuer = try body.required("issuer", Issuer.read)
        caseID = try body.optional("case_id", Read.caseID)
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("reason", reason)
        body.timestamp("issued_at", issuedAt)
        body.object("issuer", issuer)
        body.string("case_id", caseID)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .freezeCancel(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
