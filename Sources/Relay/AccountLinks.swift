import Contracts
import Foundation

/// When the relay tells police and operators that other cases named the same account.
///
/// Mule accounts serve many victims, so the same account turns up in case after case. A request
/// the relay has just received or created (from police, or a follow-up from chain following) is
/// linked to every other case that named its account, if that case's request is still open or
/// was received within `window`. Only case ids and request ids travel: nothing else of another
/// case.
public struct AccountLinkPolicy: Sendable, Hashable {
    /// How far back a closed request still links; nil: the relay does not link cases.
    public var window: Duration?

    public init(window: Duration?) {
        self.window = window
    }

    /// No links: for tools and tests that build a relay by hand. A configuration file without an
    /// `account_links` section gets ``defaultWindow``.
    public static let off = AccountLinkPolicy(window: nil)

    /// The configuration file's default: 90 days, about as long as a mule account stays in use.
    public static let defaultWindow: Duration = .seconds(90 * 86_400)

    /// Most requests for one account the ledger is asked for (newest first). Accounts named more
    /// often than this are linked to the cases among their newest requests, and counted as many.
    public static let sightingsRead = 500
}

/// A request of the ledger that named an account, as far as linking needs it.
public struct AccountSighting: Sendable, Hashable {
    public var caseID: String
    public var requestID: UUID
    public var state: RequestState
    public var receivedAt: Timestamp

    public init(caseID: String, requestID: UUID, state: RequestState, receivedAt: Timestamp) {
        self.caseID = caseID
        self.requestID = requestID
        self.state = state
        self.receivedAt = receivedAt
    }
}

extension Effects {
    /// Requests this decision creates (routed, kept unroutable or held for the first time): those
    /// whose audit line starts from no state.
    public var createdRequests: [RequestRecord] {
        let created = Set(
            audit.compactMap { entry in entry.oldState == nil && entry.newState != nil ? entry.requestID : nil })
        guard !created.isEmpty else { return [] }
        return requests.filter { created.contains($0.requestID) }
    }
}

extension RelayEngine {
    /// The other cases `sightings` (the ledger's requests for the account, newest first) link a
    /// request of `caseID` to, at `now`: one entry per case (its newest request), newest first,
    /// and how many cases there are in all.
    public func linkedCases(of caseID: String, in sightings: [AccountSighting], now: Timestamp)
        -> (listed: [LinkedCase], count: Int)
    {
        guard let window = policy.accountLinks.window else { return ([], 0) }
        let since = now.adding(.zero - window)
        var seen: Set<String> = [caseID]
        var listed: [LinkedCase] = []
        var count = 0
        for sighting in sightings.sorted(by: {
            ($0.receivedAt, $0.requestID.uuidString) > ($1.receivedAt, $1.requestID.uuidString)
        })
        where !sighting.state.isFinal || sighting.receivedAt >= since {
            guard seen.insert(sighting.caseID).inserted else { continue }
            count += 1
            if listed.count < LinkedCase.maxListed {
                listed.append(LinkedCase(caseID: sighting.caseID, requestID: sighting.requestID))
            }
        }
        return (listed, count)
    }

    /// Adds what the relay says about accounts other cases named to a decision: `linked_cases` on
    /// the status that reports each created request, a `linked_account` notice to operators, and
    /// an audit line. `sightings`: by created request id, the ledger's requests for its account
    /// before this decision. Ids derive from the cause, so a re-decided input says the same again.
    public func linkAccounts(
        _ effects: inout Effects, sightings: [UUID: [AccountSighting]], cause: Cause, now: Timestamp
    ) {
        guard policy.accountLinks.window != nil else { return }
        let factory = EventFactory(policy: policy, cause: cause, now: now)
        for record in effects.createdRequests {
            let (listed, count) = linkedCases(of: record.caseID, in: sightings[record.requestID] ?? [], now: now)
            guard !listed.isEmpty else { continue }
            let cases = listed.map(\.caseID).joined(separator: ", ")
            let more = count > listed.count ? " (the \(listed.count) most recent listed)" : ""
            let said = "the account was named in \(count) other case(s)\(more): \(cases)"
            if let index = effects.events.firstIndex(where: { Self.reportsCreation($0, of: record.requestID) }),
                case .requestStatus(var status) = effects.events[index].event
            {
                status.linkedCases = listed
                effects.events[index].event = .requestStatus(status)
            }
            effects.events.append(factory.linkedAccount(record, listed: listed, count: count, detail: said))
            effects.audit.append(factory.audit(record, from: record.state, to: record.state, "linked: \(said)"))
        }
    }

    /// Whether `event` is the status that reports `requestID` as created.
    private static func reportsCreation(_ event: OutgoingEvent, of requestID: UUID) -> Bool {
        guard case .requestStatus(let status) = event.event, status.requestID == requestID else { return false }
        return [.routed, .unroutable, .held].contains(status.status)
    }
}
