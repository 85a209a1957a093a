/// What a decision came to. Callers act on it (intake skips what was already applied, the
/// deadline scheduler counts escalations, maintenance reports what it routed) and it labels
/// log lines and metrics by its ``name``, the snake_case text these have always carried.
public enum Outcome: Sendable, Hashable, CustomStringConvertible, Codable {
    // A police request.
    case routed
    case unroutable
    /// Over an intake quota: kept until an operator releases or refuses it.
    case held
    /// The same request again (same content): nothing to do.
    case duplicate
    /// A request id already known with different content: dead-lettered.
    case conflictingDuplicate
    /// A police order (request or cancel) without a valid signature from a registered issuer.
    case unauthenticated

    // A police cancel.
    case cancelled
    case cancelUnknown
    case cancelRefused

    // A bank answer.
    /// The answer moved the request to this state.
    case answered(RequestState)
    /// The same state again with a new answer id (e.g. a hold confirmed again).
    case repeated
    case ignored
    case invalidTransition
    /// An answer about a request the relay never received.
    case answerUnknown
    /// An answer from a bank other than the one the request went to.
    case foreignResponse
    /// An answer without a valid signature of its bank.
    case unauthenticatedAnswer

    // A deadline.
    case escalated
    case deadlineMet
    case deadlineMoot

    // An operator's order about a held request.
    case released
    case releasedUnroutable
    case refused
    case notHeld

    // An operator's order to close an escalation.
    case closed
    case notOpen
    case unknown

    // `retry-unroutable`.
    case notUnroutable
    case stillUnroutable

    // Set by intake, not by a decision.
    /// A record that could not be read as an event of its topic.
    case deadLettered
    /// Below the partition's position in the ledger: applied before a crash, skipped.
    case alreadyApplied
    /// The relay failed on the record (its own bug); the record was dead-lettered instead.
    case internalError

    /// The snake_case name for logs and metric labels (`routed`, `already_applied`, `frozen`, …).
    public var name: String {
        switch self {
        case .routed: "routed"
        case .unroutable: "unroutable"
        case .held: "held"
        case .duplicate: "duplicate"
        case .conflictingDuplicate: "conflicting_duplicate"
        case .unauthenticated: "unauthenticated"
        case .cancelled: "cancelled"
        case .cancelUnknown: "cancel_unknown"
        case .cancelRefused: "cancel_refused"
        case .answered(let state): state.rawValue
        case .repeated: "repeated"
        case .ignored: "ignored"
        case .invalidTransition: "invalid_transition"
        case .answerUnknown: "answer_unknown"
        case .foreignResponse: "foreign_response"
        case .unauthenticatedAnswer: "unauthenticated_answer"
        case .escalated: "escalated"
        case .deadlineMet: "deadline_met"
        case .deadlineMoot: "deadline_moot"
        case .released: "released"
        case .releasedUnroutable: "released_unroutable"
        case .refused: "refused"
        case .notHeld: "not_held"
        case .closed: "closed"
        case .notOpen: "not_open"
        case .unknown: "unknown"
        case .notUnroutable: "not_unroutable"
        case .stillUnroutable: "still_unroutable"
        case .deadLettered: "dead_lettered"
        case .alreadyApplied: "already_applied"
        case .internalError: "internal_error"
        }
    }

    public var description: String { name }

    /// Every outcome without an associated state.
    public static let plain: [Outcome] = [
        .routed, .unroutable, .held, .duplicate, .conflictingDuplicate, .unauthenticated, .cancelled, .cancelUnknown,
        .cancelRefused,
        .repeated, .ignored, .invalidTransition, .answerUnknown, .foreignResponse, .unauthenticatedAnswer, .escalated,
        .deadlineMet,
        .deadlineMoot, .released, .releasedUnroutable, .refused, .notHeld, .closed, .notOpen, .unknown, .notUnroutable,
        .stillUnroutable,
        .deadLettered, .alreadyApplied, .internalError,
    ]

    private static let byName = Dictionary(plain.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The outcome named `name`. A name that is both an outcome of its own and a request state
    /// (`released`, `routed`, …) is read as the outcome of its own: an answer's state is never
    /// read back from text, only operator orders' outcomes are (stored as JSON in the ledger).
    public init?(name: String) {
        if let plain = Self.byName[name] {
            self = plain
        } else if let state = RequestState(rawValue: name) {
            self = .answered(state)
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let outcome = Outcome(name: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(name) is not an outcome")
        }
        self = outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
