import Authenticity
import Contracts
import Foundation

extension RelayEngine {
    /// An order (freeze request or cancel) that no registered issuer signed, refused under the
    /// `require` policy: dead-lettered with the reason, audited as a security event and escalated
    /// to operators — or counted on its group's escalation while that is open (`open`: what the
    /// ledger holds for ``securityGroup(of:problem:)``). Nothing else happens: the request is not
    /// stored, no bank hears of it.
    ///
    /// Police learn of the refusal from the dead letter (its reason names what was wrong), not
    /// from a status: whoever forged the order may read the status topic too.
    public func refuseUnauthenticated(
        _ order: PoliceMessage, problem: AuthenticityProblem, open: OpenSecurityEscalation?,
        cause: Cause, now: Timestamp
    ) -> Effects {
        let (kind, caseID, agency) = Self.describe(order)
        let message =
            "\(kind) from agency \"\(ContractText.fittedName(agency, limit: 64))\" refused: \(problem.failure.rawValue) (\(problem.detail))"
        return securityRefusal(
            securityGroup(of: order, problem: problem), open: open, problem: problem, message: message,
            advice: "Nothing was routed. Check who can write to the requests topic, or the issuer's signing setup.",
            requestID: order.requestID, caseID: caseID, bank: nil, record: nil, outcome: .unauthenticated, cause: cause,
            now: now)
    }

    /// An order accepted under the `warn` policy although no registered issuer signed it: the
    /// decision stands, and a security audit entry records what was wrong.
    public func flagUnauthenticated(
        _ effects: inout Effects, order: PoliceMessage, problem: AuthenticityProblem, cause: Cause, now: Timestamp
    ) {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        let (kind, caseID, agency) = Self.describe(order)
        let detail =
            "SECURITY: \(kind) from agency \"\(ContractText.fittedName(agency, limit: 64))\" accepted unverified under the warn policy: "
            + "\(problem.failure.rawValue) (\(problem.detail))"
        effects.audit.append(
            factory.audit(nil, from: nil, to: nil, detail, security: true, requestID: order.requestID, caseID: caseID))
    }

    private static func describe(_ order: PoliceMessage) -> (kind: String, caseID: String?, agency: String) {
        let kind: EventType = if case .request = order { .freezeRequest } else { .freezeCancel }
        return (kind.rawValue, order.caseID, order.agencyAndIssuedAt.agency)
    }
}

extension RelayEngine {
    /// A bank's answer refused because it is not signed with the bank's registered key (where the
    /// bank's answers must be signed): dead-lettered with the reason, audited as a security event,
    /// escalated (or counted on its group's open escalation, `open`); the request is not touched.
    public func refuseUnauthenticated(
        _ response: BankResponse, from bank: BankID, record: RequestRecord?, problem: AuthenticityProblem,
        open: OpenSecurityEscalation?, cause: Cause, now: Timestamp
    ) -> Effects {
        let message =
            "answer \(response.responseID) on \(bank)'s responses topic about request \(CanonicalUUID.string(response.requestID)) refused: "
            + "\(problem.failure.rawValue) (\(problem.detail))"
        return securityRefusal(
            securityGroup(ofAnswerFrom: bank, problem: problem), open: open, problem: problem, message: message,
            advice: "Nothing changed. Check the bank's signing setup, or who can write to its responses topic.",
            requestID: response.requestID, caseID: record?.caseID, bank: bank, record: record,
            outcome: .unauthenticatedAnswer,
            cause: cause, now: now)
    }

    /// A refusal for want of a valid signature: the dead letter's reason and one security audit
    /// entry, always; a level-1 escalation that operators close, unless the group's escalation is
    /// still open. Then the refusal is counted on that one, which is sent again (same id, new
    /// count and latest request in its detail) only at 10, 100, 1000… refusals.
    private func securityRefusal(
        _ group: SecurityEscalationGroup, open: OpenSecurityEscalation?, problem: AuthenticityProblem,
        message: String, advice: String, requestID: UUID, caseID: String?, bank: BankID?, record: RequestRecord?,
        outcome: Outcome, cause: Cause, now: Timestamp
    ) -> Effects {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        var effects = Effects()
        effects.refusal = Refusal(code: DeadLetterCode(problem.failure), path: nil, message: message)
        effects.outcome = outcome
        var escalation: EscalationRecord
        let refusals: Int
        if let open, open.record.kind == group.kind {
            (escalation, refusals) = (open.record, open.refusals + 1)
            escalation.detail =
                "\(refusals) refusals (\(group.failure.rawValue), \(group.sender)) since this escalation was raised; the latest, "
                + "request \(CanonicalUUID.string(requestID)): \(message). \(advice)"
            if SecurityEscalationGroup.isReported(afterRefusals: refusals) {
                effects.escalations = [escalation]
                effects.events = [factory.escalation(escalation, overdueSeconds: nil)]
            }
        } else {
            refusals = 1
            escalation = EscalationRecord(
                escalationID: cause.derivedID(
                    "escalation:\(group.kind.rawValue)" + (bank.map { ":\($0.rawValue)" } ?? "")),
                kind: group.kind, level: 1, requestID: requestID, caseID: caseID, bankID: bank,
                raisedAt: now, levelRaisedAt: now, deadline: nil,
                detail: message + ". " + advice
                    + " Until this escalation is closed, further refusals (\(group.failure.rawValue), \(group.sender)) "
                    + "are counted on it, and it is sent again at 10, 100, 1000… refusals.")
            effects.escalations = [escalation]
            effects.events = [factory.escalation(escalation, overdueSeconds: nil)]
        }
        effects.tallies = [SecurityTally(escalationID: escalation.escalationID, group: group.key, refusals: refusals)]
        let counted =
            refusals == 1
            ? "" : "; counted on open escalation \(CanonicalUUID.string(escalation.escalationID)) (refusal \(refusals))"
        effects.audit = [
            factory.audit(
                record, from: record?.state, to: record?.state, "SECURITY: \(message)\(counted)", security: true,
                requestID: requestID, caseID: caseID, bankID: bank)
        ]
        return effects
    }

    /// A bank's answer accepted under the `warn` policy although its signature did not check out.
    public func flagUnauthenticated(
        _ effects: inout Effects, answer response: BankResponse, from bank: BankID, record: RequestRecord?,
        problem: AuthenticityProblem, cause: Cause, now: Timestamp
    ) {
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        let detail =
            "SECURITY: answer \(response.responseID) from \(bank) accepted unverified under the warn policy: \(problem.failure.rawValue) (\(problem.detail))"
        effects.audit.append(
            factory.audit(
                record, from: nil, to: nil, detail, security: true, requestID: response.requestID, bankID: bank))
    }
}

extension Effects {
    /// What the relay judged of the police order behind `requestID` goes with this decision. The
    /// routed request or routed cancel it sends about `requestID` says what the relay checked, and
    /// carries the verified order, so that the bank can check who ordered it. When the decision
    /// leaves the request waiting to be routed (unroutable), the judgement goes into the ledger
    /// instead (`pendingJudgements`), for whatever routes the request later (`routeKept`). Chain
    /// requests made from the same decision are left as they are: no police order stands behind
    /// them directly.
    ///
    /// The ledger's audit trail of the decision names who signed the order, so that every
    /// routing, cancel or refusal it caused stays attributable after the event has left.
    public mutating func carry(_ judgement: PoliceJudgement, for requestID: UUID) {
        let (authorization, verification, reason) = (
            judgement.authorization, judgement.verification, judgement.reason?.rawValue
        )
        if let authorization {
            for index in audit.indices where audit[index].requestID == requestID {
                audit[index].detail += "; ordered by issuer \(authorization.issuerID), key \(authorization.keyID)"
            }
        }
        for index in events.indices {
            switch events[index].event {
            case .routedRequest(var routed) where routed.requestID == requestID:
                (routed.authorization, routed.verification, routed.verificationReason) = (
                    authorization, verification, reason
                )
                events[index].event = .routedRequest(routed)
            case .routedCancel(var routed) where routed.requestID == requestID:
                (routed.authorization, routed.verification, routed.verificationReason) = (
                    authorization, verification, reason
                )
                events[index].event = .routedCancel(routed)
            default:
                break
            }
        }
        if requests.contains(where: { $0.requestID == requestID && $0.state.awaitsRouting }) {
            pendingJudgements.append(PendingJudgement(requestID: requestID, judgement: judgement))
        }
    }
}

extension EscalationKind {
    /// Kinds raised for security events; only operators close them.
    public var isSecurityEvent: Bool {
        [.foreignResponse, .unauthenticatedOrder, .unauthenticatedAnswer].contains(self)
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
        case .orderExpired: self = .orderExpired
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
