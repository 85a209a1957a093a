import Foundation

/// Any one of the events, as returned by ``EventDecoder``'s generic entry points.
public enum Event: Sendable, Hashable, CanonicalObject {
    /// `freeze_request`
    case freezeRequest(FreezeRequest)
    /// `freeze_cancel`
    case freezeCancel(FreezeCancel)
    /// `routed_request`
    case routedRequest(RoutedRequest)
    /// `routed_cancel`
    case routedCancel(RoutedCancel)
    /// `bank_response`
    case bankResponse(BankResponse)
    /// `request_status`
    case requestStatus(RequestStatus)
    /// `escalation`
    case escalation(Escalation)
    /// `escalation_resolved`
    case escalationResolved(EscalationResolved)
    /// `dead_letter`
    case deadLetter(DeadLetter)
    /// `intake_notice`
    case intakeNotice(IntakeNotice)
    /// `linked_account`
    case linkedAccount(LinkedAccount)

    /// The wrapped event.
    public var payload: any ContractEvent {
        switch self {
        case .freezeRequest(let event): return event
        case .freezeCancel(let event): return event
        case .routedRequest(let event): return event
        case .routedCancel(let event): return event
        case .bankResponse(let event): return event
        case .requestStatus(let event): return event
        case .escalation(let event): return event
        case .escalationResolved(let event): return event
        case .deadLetter(let event): return event
        case .intakeNotice(let event): return event
        case .linkedAccount(let event): return event
        }
    }

    /// The event's `type`.
    public var type: EventType { Swift.type(of: payload).eventType }

    /// The envelope `id`.
    public var id: UUID { payload.id }

    /// The envelope `created_at`.
    public var createdAt: Timestamp { payload.createdAt }

    /// The request the event is about, when it has one (dead letters and some escalations do not).
    public var requestID: UUID? {
        switch self {
        case .freezeRequest(let event): return event.requestID
        case .freezeCancel(let event): return event.requestID
        case .routedRequest(let event): return event.requestID
        case .routedCancel(let event): return event.requestID
        case .bankResponse(let event): return event.requestID
        case .requestStatus(let event): return event.requestID
        case .escalation(let event): return event.requestID
        case .escalationResolved(let event): return event.requestID
        case .linkedAccount(let event): return event.requestID
        case .deadLetter, .intakeNotice: return nil
        }
    }

    /// The police case the event belongs to, when the event carries it.
    public var caseID: String? {
        switch self {
        case .freezeRequest(let event): return event.caseID
        case .routedRequest(let event): return event.caseID
        case .routedCancel(let event): return event.caseID
        case .requestStatus(let event): return event.caseID
        case .escalation(let event): return event.caseID
        case .escalationResolved(let event): return event.caseID
        case .linkedAccount(let event): return event.caseID
        case .freezeCancel, .bankResponse, .deadLetter, .intakeNotice: return nil
        }
    }

    /// The bank the event concerns, when it names one.
    public var bankID: BankID? {
        switch self {
        case .routedRequest(let event): return event.bankID
        case .routedCancel(let event): return event.bankID
        case .requestStatus(let event): return event.bankID
        case .escalation(let event): return event.bankID
        case .escalationResolved(let event): return event.bankID
        case .linkedAccount(let event): return event.bankID
        case .freezeRequest, .freezeCancel, .bankResponse, .deadLetter, .intakeNotice: return nil
        }
    }

    /// Writes the whole event (a `switch` rather than a cast of ``payload``: this runs for every event sent).
    func write(into writer: inout ObjectWriter) {
        switch self {
        case .freezeRequest(let event): event.write(into: &writer)
        case .freezeCancel(let event): event.write(into: &writer)
        case .routedRequest(let event): event.write(into: &writer)
        case .routedCancel(let event): event.write(into: &writer)
        case .bankResponse(let event): event.write(into: &writer)
        case .requestStatus(let event): event.write(into: &writer)
        case .escalation(let event): event.write(into: &writer)
        case .escalationResolved(let event): event.write(into: &writer)
        case .deadLetter(let event): event.write(into: &writer)
        case .intakeNotice(let event): event.write(into: &writer)
        case .linkedAccount(let event): event.write(into: &writer)
        }
    }
}
