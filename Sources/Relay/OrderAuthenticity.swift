import Authenticity
import Contracts
import Foundation

extension RelayEngine {
    /// An order (freeze request or cancel) that no registered issuer signed, refused under the
    /// `require` policy: dead-lettered with the reason, audited as a security event and escalated
    /// to operators. Nothing else happens: the request is not stored, no bank hears of it.
    ///
    /// Police learn of the refusal from the dead letter (its reason names what was wrong), not
    /// from a status: whoever forged the order may read the status topic too.
    public func refuseUnauthenticated(_ order: PoliceMessage, problem: AuthenticityProblem, cause: Cause, now: Timestamp) -> Effects {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        let (kind, caseID, agency) = Self.describe(order)
        let message = "\(kind) from agency \"\(ContractText.fittedName(agency, limit: 64))\" refused: \(problem.failure.rawValue) (\(problem.detail))"
        let escalation = EscalationRecord(
            escalationID: cause.derivedID("escalation:unauthenticated_order"),
            kind: .unauthenticatedOrder, level: 1, requestID: order.requestID, caseID: caseID, bankID: nil,
            raisedAt: now, levelRaisedAt: now, deadline: nil,
            detail: message + ". Nothing was routed. Check who can write to the requests topic, or the issuer's signing setup.")
        var effects = Effects()
        effects.refusal = Refusal(code: DeadLetterCode(problem.failure), path: nil, message: message)
        effects.escalations = [escalation]
        effects.events = [factory.escalation(escalation, overdueSeconds: nil)]
        effects.audit = [factory.audit(nil, from: nil, to: nil, "SECURITY: \(message)", security: true, requestID: order.requestID, caseID: caseID)]
        effects.outcome = "unauthenticated"
        return effects
    }

    /// An order accepted under the `warn` policy although no registered issuer signed it: the
    /// decision stands, and a security audit entry records what was wrong.
    public func flagUnauthenticated(_ effects: inout Effects, order: PoliceMessage, problem: AuthenticityProblem, cause: Cause, now: Timestamp) {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        let (kind, caseID, agency) = Self.describe(order)
        let detail = "SECURITY: \(kind) from agency \"\(ContractText.fittedName(agency, limit: 64))\" accepted unverified under the warn policy: "
            + "\(problem.failure.rawValue) (\(problem.detail))"
        effects.audit.append(factory.audit(nil, from: nil, to: nil, detail, security: true, requestID: order.requestID, caseID: caseID))
    }

    private static func describe(_ order: PoliceMessage) -> (kind: String, caseID: String?, agency: String) {
        switch order {
        case .request(let request): ("freeze_request", request.caseID, request.issuer.agency)
        case .cancel(let cancel): ("freeze_cancel", cancel.caseID, cancel.issuer.agency)
        }
    }
}

extension Effects {
    /// Puts the verified police order on the routed request or routed cancel this decision sends
    /// about `requestID`, so that the bank can check who ordered it. Chain requests made from the
    /// same decision are left as they are: no police order stands behind them directly.
    public mutating func carry(_ authorization: OrderAuthorization, for requestID: UUID) {
        for index in events.indices {
            switch events[index].event {
            case .routedRequest(var routed) where routed.requestID == requestID:
                routed.authorization = authorization
                events[index].event = .routedRequest(routed)
            case .routedCancel(var routed) where routed.requestID == requestID:
                routed.authorization = authorization
                events[index].event = .routedCancel(routed)
            default:
                break
            }
        }
    }
}

extension DeadLetterCode {
    /// The dead-letter code of an authenticity failure (the raw values are shared).
    public init(_ failure: AuthenticityFailure) {
        switch failure {
        case .signatureMissing: self = .signatureMissing
        case .signatureInvalid: self = .signatureInvalid
        case .unknownKey: self = .unknownKey
        case .keyExpired: self = .keyExpired
        case .issuerNotAllowed: self = .issuerNotAllowed
        }
    }
}

extension PoliceMessage {
    /// The case the order names (a cancel may name none).
    public var caseID: String? {
        switch self {
        case .request(let request): request.caseID
        case .cancel(let cancel): cancel.caseID
        }
    }

    /// The issuing agency and the time the order says it was issued: what the issuer registry judges.
    public var agencyAndIssuedAt: (agency: String, issuedAt: Timestamp) {
        switch self {
        case .request(let request): (request.issuer.agency, request.issuedAt)
        case .cancel(let cancel): (cancel.issuer.agency, cancel.issuedAt)
        }
    }
}
