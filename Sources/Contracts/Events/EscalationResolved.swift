import Foundation

/// `escalation_resolved` — relay → operators on `freeze.escalations`, Kafka key = `case_id`
/// (or `request_id` when the escalation had no case).
public struct EscalationResolved: ContractEvent, EventBody {
    /// `escalation_resolved`
    public static let eventType = EventType.escalationResolved

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The escalation that is resolved.
    public var escalationID: UUID
    /// How it was resolved.
    public var resolution: EscalationResolution
    /// When.
    public var resolvedAt: Timestamp
    /// The request concerned (copied from the escalation, for keying and filtering).
    public var requestID: UUID
    /// The case concerned, when the escalation had one.
    public var caseID: String?
    /// The bank concerned, when the escalation had one.
    public var bankID: BankID?
    /// Human-readable explanation.
    public var detail: String?

    /// Creates a resolution.
    public init(
        id: UUID, createdAt: Timestamp, escalationID: UUID, resolution: EscalationResolution,
        resolvedAt: Timestamp, requestID: UUID, caseID: String? = nil, bankID: BankID? = nil,
        detail: String? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.escalationID = escalationID
        self.resolution = resolution
        self.resolvedAt = resolvedAt
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.detail = detail
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        escalationID = try body.required("escalation_id", Read.uuid)
        resolution = try body.required("resolution", Read.enumeration(EscalationResolution.self))
        resolvedAt = try body.required("resolved_at", Read.timestamp)
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.optional("case_id", Read.caseID)
        bankID = try body.optional("bank_id", Read.bankID)
        detail = try body.optional("detail", Read.text(maxLength: ContractLimits.detail))
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("escalation_id", escalationID)
        body.string("resolution", resolution.rawValue)
        body.timestamp("resolved_at", resolvedAt)
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.string("bank_id", bankID?.rawValue)
        body.string("detail", detail)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .escalationResolved(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// How an escalation ended.
public enum EscalationResolution: String, Sendable, Hashable, CaseIterable, Codable {
    /// The condition cleared on its own: the bank answered (acknowledged, froze, answered finally).
    case answered
    /// The police cancelled the request, so the escalation no longer matters.
    case cancelled
    /// Replaced by a higher-level escalation of the same problem (which has its own id).
    case superseded
    /// An operator closed it by hand.
    case closed
}
