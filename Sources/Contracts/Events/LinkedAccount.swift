import Foundation

/// `linked_account` — relay → operators on `freeze.escalations`, Kafka key = `case_id`.
///
/// A notice, not an escalation: nothing is overdue and nothing needs closing. A request (from
/// police, or a follow-up the relay created) names an account that other police cases named too,
/// within the relay's link window or still open: a mule account serving several victims.
/// Operators and investigators learn which cases to join up; the police of the request's case
/// learn the same from `linked_cases` on the request's status.
///
/// `linked_cases` lists 1 to 20 other cases, most recent first; `linked_case_count` is how many
/// there were in all. The relay never writes a count below the number listed; the contract does
/// not check it, since a JSON Schema cannot compare two fields and both sides judge alike.
public struct LinkedAccount: ContractEvent, EventBody {
    /// `linked_account`
    public static let eventType = EventType.linkedAccount

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// The request that named the account.
    public var requestID: UUID
    /// Its case.
    public var caseID: String
    /// The bank the request was routed to (absent when it was not routed).
    public var bankID: BankID?
    /// Other cases that named the account, most recent first.
    public var linkedCases: [LinkedCase]
    /// How many other cases named it, listed or not.
    public var linkedCaseCount: Int
    /// Plain-words explanation (ids only).
    public var detail: String

    /// Creates a notice.
    public init(
        id: UUID, createdAt: Timestamp, requestID: UUID, caseID: String, bankID: BankID? = nil,
        linkedCases: [LinkedCase], linkedCaseCount: Int, detail: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.linkedCases = linkedCases
        self.linkedCaseCount = linkedCaseCount
        self.detail = detail
    }

    /// Largest `linked_case_count` the contract accepts.
    public static let maxLinkedCaseCount = 1_000_000

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        requestID = try body.required("request_id", Read.uuid)
        caseID = try body.required("case_id", Read.caseID)
        bankID = try body.optional("bank_id", Read.bankID)
        linkedCases = try body.required("linked_cases", LinkedCase.readList)
        linkedCaseCount = try body.required(
            "linked_case_count", Read.integer(in: 1...Int64(Self.maxLinkedCaseCount)))
        detail = try body.required("detail", Read.text(maxLength: ContractLimits.detail))
    }

    func writeBody(into body: inout ObjectWriter) {
        body.uuid("request_id", requestID)
        body.string("case_id", caseID)
        body.string("bank_id", bankID?.rawValue)
        body.list("linked_cases", linkedCases)
        body.integer("linked_case_count", linkedCaseCount)
        body.string("detail", detail)
    }

    /// Wraps in ``Event``.
    public var asEvent: Event { .linkedAccount(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
