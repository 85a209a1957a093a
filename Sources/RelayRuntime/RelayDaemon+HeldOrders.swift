import Ledger
import Relay

extension RelayDaemon {
    /// Carries out the orders about held requests that operators left in the ledger (`freeze-relay
    /// release` / `refuse` while the daemon runs), between intake batches. Returns false when the
    /// ledger could not be written (the daemon stops, as for intake).
    func carryOutHeldOrders() -> Bool {
        let carried: [CarriedOutHeldOrder]
        do { carried = try RelayMaintenance.carryOutHeldOrders(ledger: ledger, policy: policies.policy, clock: clock) } catch {
            fail(RuntimeFailure(wrapping: error))
            return false
        }
        for order in carried {
            if let error = order.error {
                logger.error("operator order about held requests not carried out", metadata: ["order": "\(order.sequence)", "error": "\(error)"])
            } else {
                let counts = Dictionary(grouping: order.outcomes, by: \.outcome).mapValues(\.count).sorted { $0.key < $1.key }
                logger.notice("operator order about held requests carried out", metadata: [
                    "order": "\(order.sequence)", "outcomes": "\(counts.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"])
            }
        }
        if !carried.isEmpty {
            scheduler.nudge()
            publisher.nudge()
        }
        return true
    }
}
