import Authenticity
import Contracts
import Foundation

/// What the relay judged of a police order, as the bank is told it on the routed request or routed
/// cancel (`verification`, `verification_reason`, `authorization`). Only consistent combinations
/// can be made: verified with the order and its signature, unverified with the reason, unchecked.
public struct PoliceJudgement: Sendable, Hashable {
    public let verification: OrderVerification
    /// Why the order was accepted unverified (the `warn` policy); nil unless unverified.
    public let reason: AuthenticityFailure?
    /// The verified order and its police signature; nil unless verified.
    public let authorization: OrderAuthorization?

    private init(verification: OrderVerification, reason: AuthenticityFailure?, authorization: OrderAuthorization?) {
        (self.verification, self.reason, self.authorization) = (verification, reason, authorization)
    }

    /// Signed by a registered issuer.
    public static func verified(_ authorization: OrderAuthorization) -> PoliceJudgement {
        PoliceJudgement(verification: .verified, reason: nil, authorization: authorization)
    }

    /// Accepted under the `warn` policy although it did not verify.
    public static func unverified(_ reason: AuthenticityFailure) -> PoliceJudgement {
        PoliceJudgement(verification: .unverified, reason: reason, authorization: nil)
    }

    /// Signatures are off for the order's agency.
    public static let unchecked = PoliceJudgement(verification: .unchecked, reason: nil, authorization: nil)

    /// A judgement read back from storage; nil when the parts do not make one (a verified order
    /// without its authorization, an unverified one without a known reason, or parts left over).
    public init?(verification: OrderVerification, reasonCode: String?, authorization: OrderAuthorization?) {
        switch (verification, reasonCode.map(AuthenticityFailure.init(rawValue:)), authorization) {
        case (.verified, nil, let authorization?): self = .verified(authorization)
        case (.unverified, let reason??, nil): self = .unverified(reason)
        case (.unchecked, nil, nil): self = .unchecked
        default: return nil
        }
    }
}

/// The judgement of the police order behind a request that a decision leaves waiting to be
/// routed (see `RequestState.awaitsRouting`), for the ledger to keep until the request is routed:
/// the event that routes it later must say what the relay judged when it read the order, which
/// by then is gone (the order's bytes and signature travel only on the routed request).
public struct PendingJudgement: Sendable, Hashable {
    public var requestID: UUID
    public var judgement: PoliceJudgement

    public init(requestID: UUID, judgement: PoliceJudgement) {
        self.requestID = requestID
        self.judgement = judgement
    }
}

extension Effects {
    /// A request that waited to be routed is routed by this decision: its routed request carries
    /// the judgement kept when its order was read (`kept`, from `RequestContext.pendingJudgement`),
    /// and the ledger forgets it. Without one (a request kept before judgements were, or a chain
    /// request) the routed request says nothing of a police order, as before.
    mutating func routeKept(_ kept: PoliceJudgement?, for requestID: UUID) {
        if let kept { carry(kept, for: requestID) }
        settledJudgements.append(requestID)
    }
}
