/// The one error every contract check throws: which field was wrong, and what was wrong with it.
///
/// `description` reads like `account.iban: check digits do not match`, so it can go straight
/// into a log line or a dead letter's `reason.message`. `code` is coarse and stable, meant for
/// the dead letter's `reason.code` and for metrics.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Coarse classification of a refusal; the raw values are the dead-letter `reason.code` values.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The bytes are not one well-formed JSON document (including invalid UTF-8, duplicate keys, nesting too deep).
        case invalidJSON = "invalid_json"
        /// The message is larger than ``EventDecoder/maxInputBytes``.
        case tooLarge = "too_large"
        /// Well-formed JSON that breaks the event's schema.
        case schemaViolation = "schema_violation"
        /// `type` is a string but not one of the known event types.
        case unknownType = "unknown_type"
        /// `version` is an integer but not one this build supports.
        case unsupportedVersion = "unsupported_version"
        /// A known event type that does not belong where it arrived (for example a `bank_response` on the police topic).
        case wrongTopic = "wrong_topic"
    }

    /// Coarse classification, usable as a dead-letter `reason.code`.
    public let code: Code
    /// The field path (`account.iban`, `onward_transfers[2].amount.value`), or `nil` when the whole document is at fault.
    public let path: String?
    /// What is wrong, in plain words, without the path.
    public let reason: String

    /// Creates an error; callers outside this module rarely need to.
    public init(code: Code, path: String?, reason: String) {
        self.code = code
        self.path = (path?.isEmpty ?? true) ? nil : path
        self.reason = reason
    }

    /// `path: reason`, or just the reason when no single field is at fault.
    public var description: String {
        if let path { return "\(path): \(reason)" }
        return reason
    }

    static func violation(_ path: FieldPath, _ reason: String) -> ContractError {
        ContractError(code: .schemaViolation, path: path.description, reason: reason)
    }
}
