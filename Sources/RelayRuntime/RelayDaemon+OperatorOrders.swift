import Ledger
import Relay

extension RelayDaemon {
    /// Carries out the orders operators left in the ledger while the daemon runs (`freeze-relay
    /// release`, `refuse`, `close-escalation`), between intake batches. Returns false when the
    /// ledger could not be written (the daemon stops, as for intake).
    func carryOutOperatorOrders() -> Bool {
        let carried: [CarriedOutOperatorOrder]
        do {
            carried = try RelayMaintenance.carryOutOperatorOrders(ledger: ledger, policy: policies.policy, clock: clock)
        } catch {
            fail(RuntimeFailure(wrapping: error))
            return false
        }
        for order in carried {
            if let error = order.error {
                logger.error(
                    "operator order not carried out", metadata: ["order": "\(order.sequence)", "error": "\(error)"])
            } else {
                let counts = Dictionary(grouping: order.outcomes, by: \.outcome.name).mapValues(\.count).sorted {
                    $0.key < $1.key
                }
                logger.notice(
                    "operator order carried out",
                    metadata: [
                        "order": "\(order.sequence)", "action": "\(order.action?.rawValue ?? "?")",
                        "outcomes": "\(counts.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
                    ])
            }
        }
        if !carried.isEmpty {
            scheduler.nudge()
            publisher.nudge()
        }
        return true
    }
}
