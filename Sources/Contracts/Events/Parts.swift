import Foundation

/// Length and range limits shared by the schemas and the models (the schema files state the same numbers).
public enum ContractLimits {
    /// Police case id, 1–64 characters.
    public static let caseID = 64
    /// Issuing agency name.
    public static let agency = 128
    /// Issuing unit name.
    public static let unit = 128
    /// Officer id.
    public static let officerID = 64
    /// Legal basis text.
    public static let legalBasis = 1000
    /// Account holder name.
    public static let holderName = 200
    /// National id number of the holder.
    public static let nationalID = 32
    /// Transaction references (fraud transaction, onward transfer).
    public static let reference = 128
    /// Free-text descriptions.
    public static let description = 1000
    /// Reasons (cancel, rejection).
    public static let reason = 1000
    /// Human-readable details in status, escalation and dead-letter events.
    public static let detail = 2000
    /// A bank's response id.
    public static let responseID = 128
    /// Deepest hop of a chain request.
    public static let maxHop = 64
    /// Longest requested hold, in hours (one leap year).
    public static let maxHoldHours = 8784
    /// Most onward transfers, children or exits in one event.
    public static let maxListItems = 1000
    /// Highest escalation level.
    public static let maxEscalationLevel = 100
}

/// How fast the police need the freeze.
public enum Priority: String, Sendable, Hashable, CaseIterable, Codable {
    /// Money is moving now.
    case urgent
    /// Ordinary handling.
    case normal
}

/// Who issued a request or cancel.
public struct Issuer: Sendable, Hashable, Codable, CanonicalObject {
    /// The agency, e.g. "Almaty City Police Department".
    public var agency: String
    /// The unit inside the agency, when there is one.
    public var unit: String?
    /// The officer's service id.
    public var officerID: String

    /// Creates an issuer.
    public init(agency: String, unit: String? = nil, officerID: String) {
        self.agency = agency
        self.unit = unit
        self.officerID = officerID
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> Issuer {
        let fields = try ObjectReader(value, at: path)
        return Issuer(
            agency: try fields.required("agency", Read.label(maxLength: ContractLimits.agency)),
            unit: try fields.optional("unit", Read.label(maxLength: ContractLimits.unit)),
            officerID: try fields.required("officer_id", Read.label(maxLength: ContractLimits.officerID)))
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("agency", agency)
        writer.string("unit", unit)
        writer.string("officer_id", officerID)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The account to freeze, with what a bank uses to match it.
public struct TargetAccount: Sendable, Hashable, Codable, CanonicalObject {
    /// The account's IBAN.
    public var iban: IBAN
    /// The holder's name as the police know it.
    public var holderName: String?
    /// The holder's national id number (in Kazakhstan the 12-digit IIN/BIN).
    public var nationalID: String?

    /// Creates a target account.
    public init(iban: IBAN, holderName: String? = nil, nationalID: String? = nil) {
        self.iban = iban
        self.holderName = holderName
        self.nationalID = nationalID
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> TargetAccount {
        let fields = try ObjectReader(value, at: path)
        return TargetAccount(
            iban: try fields.required("iban", Read.iban),
            holderName: try fields.optional("holder_name", Read.label(maxLength: ContractLimits.holderName)),
            nationalID: try fields.optional("national_id", Read.label(maxLength: ContractLimits.nationalID)))
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("iban", iban.electronicFormat)
        writer.string("holder_name", holderName)
        writer.string("national_id", nationalID)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The fraudulent transaction being traced (for chain requests: the onward transfer that led here).
public struct FraudTransaction: Sendable, Hashable, Codable, CanonicalObject {
    /// When it happened.
    public var occurredAt: Timestamp
    /// The paying bank's transaction reference.
    public var reference: String
    /// Free-text description.
    public var description: String?

    /// Creates a fraud transaction.
    public init(occurredAt: Timestamp, reference: String, description: String? = nil) {
        self.occurredAt = occurredAt
        self.reference = reference
        self.description = description
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> FraudTransaction {
        let fields = try ObjectReader(value, at: path)
        return FraudTransaction(
            occurredAt: try fields.required("occurred_at", Read.timestamp),
            reference: try fields.required("reference", Read.label(maxLength: ContractLimits.reference)),
            description: try fields.optional("description", Read.text(maxLength: ContractLimits.description)))
    }

    func write(into writer: inout ObjectWriter) {
        writer.timestamp("occurred_at", occurredAt)
        writer.string("reference", reference)
        writer.string("description", description)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// Where a chain request sits: the request whose `funds_moved` answer created it, and how many hops
/// from the original request it is (the original is hop 0 and carries neither field).
/// On the wire `parent_request_id` and `hop` are flat fields that come together or not at all.
public struct ChainPosition: Sendable, Hashable {
    /// The parent request.
    public var parentRequestID: UUID
    /// 1 for a child of the original request, 2 for a grandchild, … up to ``ContractLimits/maxHop``.
    public var hop: Int

    /// Creates a chain position.
    public init(parentRequestID: UUID, hop: Int) {
        self.parentRequestID = parentRequestID
        self.hop = hop
    }

    static func read(from fields: ObjectReader) throws -> ChainPosition? {
        let parent = try fields.optional("parent_request_id", Read.uuid)
        let hop = try fields.optional("hop", Read.integer(in: 1...Int64(ContractLimits.maxHop)))
        switch (parent, hop) {
        case (let parent?, let hop?): return ChainPosition(parentRequestID: parent, hop: hop)
        case (nil, nil): return nil
        case (.some, nil):
            try fields.demand("hop", "when parent_request_id is present")
            return nil
        case (nil, .some):
            try fields.demand("parent_request_id", "when hop is present")
            return nil
        }
    }

    func write(into writer: inout ObjectWriter) {
        writer.uuid("parent_request_id", parentRequestID)
        writer.integer("hop", hop)
    }
}
