import Foundation

/// Another police case that named the same account: its case id and the request that named it.
/// Nothing else of the other case travels (no names, amounts or banks): police of one case learn
/// only that another case exists and which request to ask its investigators about.
public struct LinkedCase: Sendable, Hashable, Codable, CanonicalObject {
    /// Most linked cases listed in one event; `linked_case_count` says how many there were in all.
    public static let maxListed = 20

    /// The other case.
    public var caseID: String
    /// Its request that named the account (the most recent one, when it named it more than once).
    public var requestID: UUID

    /// Creates a link.
    public init(caseID: String, requestID: UUID) {
        self.caseID = caseID
        self.requestID = requestID
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> LinkedCase {
        let fields = try ObjectReader(value, at: path)
        return LinkedCase(
            caseID: try fields.required("case_id", Read.caseID), requestID: try fields.required("request_id", Read.uuid)
        )
    }

    static func readList(_ value: JSONValue, _ path: FieldPath) throws -> [LinkedCase] {
        try Read.list(maxItems: maxListed, read)(value, path)
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("case_id", caseID)
        writer.uuid("request_id", requestID)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
