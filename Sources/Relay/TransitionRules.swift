import Contracts

/// What a bank answer does to a request in a given state.
public enum Transition: Sendable, Hashable {
    /// The request moves to (or, for updates, stays in) this state with the answer's details.
    case advance(RequestState)
    /// The same answer again (same status, amount, hold and transfers): nothing to do.
    case repeated
    /// Stale but harmless, such as an acknowledgement after a freeze: recorded, not applied.
    case ignore(String)
    /// Not allowed from this state; the answer is refused with this reason.
    case refuse(String)
}

/// The state machine for bank answers, separate from its effects so it can be tested on
/// every (state, status) pair.
public enum TransitionRules {
    public static func evaluate(_ record: RequestRecord, answer: BankResponse) -> Transition {
        let state = record.state
        let status = answer.status
        let target = RequestState(status)
        let sameDetails =
            record.frozenAmount == answer.frozenAmount && record.holdUntil == answer.holdUntil?.truncatedToMilliseconds

        // A bank's acknowledgement after it has already answered is stale, never a regression.
        let staleAcknowledgement = Transition.ignore(
            "acknowledgement after \(state.rawValue) is stale; the request stays \(state.rawValue)")

        switch state {
        case .unroutable, .held:
            return .refuse("the request was never routed to a bank")
        case .refused:
            return .refuse("an operator refused the request; it was never routed to a bank")
        case .routed, .acknowledged:
            if status == .acknowledged { return state == .routed ? .advance(.acknowledged) : .repeated }
            if status == .released { return .refuse("released, but nothing was reported frozen") }
            return .advance(target)
        case .frozen:
            switch status {
            case .frozen: return sameDetails ? .repeated : .advance(.frozen)
            case .released: return .advance(.released)
            case .partiallyFrozen:
                return .refuse(
                    "partially_frozen after frozen would lower the blocked amount; report released or frozen with the new amount"
                )
            case .fundsMoved: return .refuse("funds_moved after frozen: money reported blocked cannot have moved on")
            case .rejected:
                return .refuse(
                    "rejected after frozen: the request was already executed; report released to lift the hold")
            case .accountNotFound: return .refuse("account_not_found after frozen contradicts the earlier freeze")
            case .acknowledged: return staleAcknowledgement
            }
        case .partiallyFrozen:
            switch status {
            case .partiallyFrozen:
                return sameDetails && answer.onwardTransfers.isEmpty ? .repeated : .advance(.partiallyFrozen)
            case .frozen, .released: return .advance(target)
            case .fundsMoved:
                return .refuse(
                    "funds_moved after partially_frozen: money reported blocked cannot have moved on; report further transfers with partially_frozen, or released to lift the hold"
                )
            case .rejected: return .refuse("rejected after partially_frozen: report released to lift the hold")
            case .accountNotFound:
                return .refuse("account_not_found after partially_frozen contradicts the earlier freeze")
            case .acknowledged: return staleAcknowledgement
            }
        case .fundsMoved:
            if status == .acknowledged { return staleAcknowledgement }
            if status == .fundsMoved { return .advance(.fundsMoved) }
            return .refuse("\(status.rawValue) after funds_moved: funds_moved is final for this account")
        case .rejected:
            if status == .acknowledged { return staleAcknowledgement }
            if status == .rejected { return .repeated }
            return .refuse("\(status.rawValue) after rejected: rejected is final; police must send a new request")
        case .accountNotFound:
            if status == .acknowledged { return staleAcknowledgement }
            if status == .accountNotFound { return .repeated }
            return .refuse("\(status.rawValue) after account_not_found: account_not_found is final")
        case .released:
            if status == .acknowledged { return staleAcknowledgement }
            if status == .released { return .repeated }
            return .refuse("\(status.rawValue) after released: released is final")
        case .cancelled:
            if status == .acknowledged { return staleAcknowledgement }
            if status == .released { return .advance(.released) }
            return .refuse(
                "\(status.rawValue) after the request was cancelled by police; release any hold and report released")
        }
    }
}
