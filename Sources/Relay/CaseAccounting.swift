import Contracts

/// Per-case money accounting, recomputed from the case's requests and edges.
///
/// - stolen: what police reported (the amounts of the requests they sent, hop 0);
/// - frozen: what banks report blocked under requests that still hold funds;
/// - exited: what left the participating banks (crypto, cash, cards, other banks);
/// - moving: what is located at a bank but not blocked yet (open requests, and money that joined
///   an account under an open request), plus what was not followed because of a limit.
///
/// Amounts in another currency than the case's first request are left out of the totals (a
/// case is normally in one currency); `nil` when the case has no request yet.
public enum CaseAccounting {
    public static func totals(of context: CaseContext) -> CaseTotals? {
        guard let currency = context.requests.min(by: { $0.receivedAt < $1.receivedAt })?.request.amount.currency else {
            return nil
        }
        func sum(_ amounts: [Money]) -> Money {
            (try? Money.sum(amounts.filter { $0.currency == currency }, currency: currency)) ?? zero(currency)
        }
        let stolen = sum(context.requests.filter { $0.hop == 0 }.map(\.request.amount))
        let frozen = sum(context.requests.filter { $0.state.holdsFunds }.compactMap(\.frozenAmount))
        let exited = sum(
            context.edges.filter { if case .exit = $0.outcome { true } else { false } }.map(\.transfer.amount))
        let open = sum(context.requests.filter { $0.state.awaitsBank || $0.state.awaitsRouting }.map(\.request.amount))
        let limited = sum(
            context.edges.filter { if case .limit = $0.outcome { true } else { false } }.map(\.transfer.amount))
        // Money that joined an account already under a request: while that request is open, it is
        // at a bank and not blocked, on top of the amount the request itself was made for.
        let openIDs = Set(context.requests.filter { $0.state.awaitsBank || $0.state.awaitsRouting }.map(\.requestID))
        let joinedOpen = sum(
            context.edges.filter { if case .join(let id) = $0.outcome { openIDs.contains(id) } else { false } }.map(
                \.transfer.amount))
        let unblockedRemainder = sum(
            context.requests.filter { $0.state == .partiallyFrozen }.map { record in
                let reportedOnward = sum(
                    context.edges.filter { $0.fromRequestID == record.requestID }.map(\.transfer.amount))
                let accounted = (try? (record.frozenAmount ?? zero(currency)).adding(reportedOnward)) ?? zero(currency)
                return (try? record.request.amount.subtractingClampedAtZero(accounted)) ?? zero(currency)
            })
        let moving = (try? open.adding(limited).adding(joinedOpen).adding(unblockedRemainder)) ?? open
        return CaseTotals(stolen: stolen, frozen: frozen, moving: moving, exited: exited)
    }

    private static func zero(_ currency: String) -> Money {
        // The currency came from a decoded request, so it is valid.
        try! Money.zero(currency)
    }
}
