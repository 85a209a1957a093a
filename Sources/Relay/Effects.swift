import Contracts
import Foundation

/// An event to publish: where, under which key, and what caused it (for the causation header).
public struct OutgoingEvent: Sendable, Hashable {
    public var topic: String
    public var key: String
    public var event: Event
    public var causationID: UUID?

    public init(topic: String, key: String, event: Event, causationID: UUID?) {
        self.topic = topic
        self.key = key
        self.event = event
        self.causationID = causationID
    }
}

/// One line of the append-only audit trail.
public struct AuditEntry: Sendable, Hashable {
    public var at: Timestamp
    public var requestID: UUID?
    public var caseID: String?
    public var bankID: BankID?
    /// Where the change came from (`freeze.requests/0@42`, `timer …`).
    public var cause: String
    public var oldState: RequestState?
    public var newState: RequestState?
    /// What happened, in words; ids only, never names or full account numbers.
    public var detail: String
    /// Marks events operators must review (answers from the wrong bank).
    public var isSecurityEvent: Bool

    public init(
        at: Timestamp, requestID: UUID?, caseID: String?, bankID: BankID?, cause: String,
        oldState: RequestState?, newState: RequestState?, detail: String, isSecurityEvent: Bool = false
    ) {
        self.at = at
        self.requestID = requestID
        self.caseID = caseID
        self.bankID = bankID
        self.cause = cause
        self.oldState = oldState
        self.newState = newState
        self.detail = detail
        self.isSecurityEvent = isSecurityEvent
    }
}

/// Why a record is refused: exactly the reason its dead letter carries.
public typealias Refusal = DeadLetter.Reason

/// A bank answer the relay has taken into account, remembered to spot re-sends.
public struct ResponseSeen: Sendable, Hashable {
    public var bankID: BankID
    public var responseID: String
    public var requestID: UUID
    public var fingerprint: ContentFingerprint

    public init(bankID: BankID, responseID: String, requestID: UUID, fingerprint: ContentFingerprint) {
        self.bankID = bankID
        self.responseID = responseID
        self.requestID = requestID
        self.fingerprint = fingerprint
    }
}

/// What one decision changes. The runtime applies all of it in one ledger transaction, then
/// publishes `events` from the outbox.
public struct Effects: Sendable, Hashable {
    /// New or changed requests (whole records).
    public var requests: [RequestRecord] = []
    /// Timers to add (an existing id is left as it is).
    public var schedule: [Deadline] = []
    /// Open timers of these requests and kinds to drop.
    public var cancelDeadlines: [DeadlineCancellation] = []
    /// Escalations raised or re-raised at a higher level.
    public var escalations: [EscalationRecord] = []
    /// Escalations closed.
    public var resolved: [EscalationClosure] = []
    /// Refusals counted on their group's security escalation (see ``SecurityEscalationGroup``).
    public var tallies: [SecurityTally] = []
    public var events: [OutgoingEvent] = []
    public var audit: [AuditEntry] = []
    /// Set when the input is refused: it goes to the dead-letter topic with this reason.
    public var refusal: Refusal?
    /// Bank answers to remember.
    public var responses: [ResponseSeen] = []
    /// Money-flow edges found in bank answers (chain following).
    public var edges: [ChainEdge] = []
    /// Admitted police requests to count against their issuer's quota windows.
    public var quotaCharges: [QuotaCharge] = []
    /// Judgements of police orders whose requests this decision leaves waiting to be routed: kept
    /// in the ledger until the request is routed, cancelled or purged (see `Effects.carry`).
    public var pendingJudgements: [PendingJudgement] = []
    /// Requests that no longer wait to be routed (routed at last, cancelled): the ledger forgets
    /// their pending judgement, if it holds one.
    public var settledJudgements: [UUID] = []
    /// What the decision came to; callers act on it, and logs and metrics carry its name.
    public var outcome: Outcome = .ignored

    public init() {}

    /// Nothing changes but the refusal: the input goes to the dead-letter topic.
    public static func refused(_ refusal: Refusal) -> Effects {
        var effects = Effects()
        effects.refusal = refusal
        effects.outcome = .deadLettered
        return effects
    }

    /// Nothing changes.
    public var isEmpty: Bool {
        requests.isEmpty && schedule.isEmpty && cancelDeadlines.isEmpty && escalations.isEmpty && resolved.isEmpty
            && tallies.isEmpty
            && events.isEmpty && audit.isEmpty && refusal == nil && responses.isEmpty && edges.isEmpty
            && quotaCharges.isEmpty
            && pendingJudgements.isEmpty && settledJudgements.isEmpty
    }

    mutating func merge(_ other: Effects) {
        requests += other.requests
        schedule += other.schedule
        cancelDeadlines += other.cancelDeadlines
        escalations += other.escalations
        resolved += other.resolved
        tallies += other.tallies
        events += other.events
        audit += other.audit
        if refusal == nil { refusal = other.refusal }
        responses += other.responses
        edges += other.edges
        quotaCharges += other.quotaCharges
        pendingJudgements += other.pendingJudgements
        settledJudgements += other.settledJudgements
    }
}

/// Drop the open timers of a request of the given kinds.
public struct DeadlineCancellation: Sendable, Hashable {
    public var requestID: UUID
    public var kinds: Set<DeadlineKind>

    public init(requestID: UUID, kinds: Set<DeadlineKind>) {
        self.requestID = requestID
        self.kinds = kinds
    }
}
