import ArgumentParser
import ConfigurationFile
import Contracts
import Foundation
import Ledger
import Relay
import RelayRuntime

/// Applies an order offline, or hands it to the running daemon and waits for its result.
struct OperatorOrderRunner {
    let options: ConfigurationOptions
    let nowText: String?

    static let heldDiscussion = """
        Each request is audited with the operator and the reason, its quota_exceeded escalation \
        closes, and police get a status. Requests not held are reported and left alone. \(handOver) \
        Exit status: 0 when every named request was decided, 1 when some were not held or unknown, \
        2 for invalid arguments, 3 when there is no ledger, 4 when the daemon did not carry it out \
        within --wait (it stays queued).
        """

    /// How an order reaches the ledger, for the commands' help.
    static let handOver = """
        While the daemon runs (it holds the ledger's writer lock), the order is left in the ledger for it, as \
        rebase does: the daemon carries it out within a second or so, with the routing table it has \
        loaded, and records the outcome in the same transaction (this command waits for it). When \
        it is stopped, the order is applied directly and its events wait in the outbox until the \
        daemon next starts.
        """

    func run(_ order: OperatorOrder, wait: Int) async throws -> String {
        let configuration = try options.load()
        let path = configuration.ledger.path
        let ledger: Ledger
        do {
            ledger = try OperatorLedger.openWriter(at: path, durability: configuration.ledger.durability)
        } catch .inUse(_, let pid) {
            return try await handOver(order, path: path, pid: pid, wait: wait)
        } catch {
            throw OperatorLedger.failure(error)
        }
        defer { ledger.close() }
        let policy: RelayPolicy
        do { policy = try RelayPolicy(configuration: configuration) } catch {
            throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
        }
        let clock: any RelayClock = nowText == nil ? SystemClock() : ManualClock(order.requestedAt)
        let outcomes: [OperatorOrderOutcome]
        do { outcomes = try RelayMaintenance.carryOut(order, ledger: ledger, policy: policy, clock: clock) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        return try Self.report(
            outcomes, order: order,
            how:
                "the daemon is not running: applied directly; the events wait in the ledger's outbox until the daemon next starts"
        )
    }

    /// Leaves the order in the ledger for the running daemon (as `rebase` does) and waits for its
    /// outcome, which the daemon records in the transaction that carries the order out.
    private func handOver(_ order: OperatorOrder, path: String, pid: Int32?, wait: Int) async throws -> String {
        let sequence: Int64
        do { sequence = try Ledger.submitOperatorOrder(order, at: path) } catch let error as LedgerError {
            throw OperatorLedger.failure(error)
        }
        let reader = try OperatorLedger.openReader(at: path)
        defer { reader.close() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(max(0, wait)))
        let daemon = pid.map { "the daemon (pid \($0))" } ?? "the daemon"
        while ContinuousClock.now < deadline {
            if let result = try reader.operatorOrderResult(sequence) {
                if let error = result.error {
                    throw CLIFailure("\(daemon) did not carry out order #\(sequence): \(error)")
                }
                return try Self.report(
                    result.outcomes, order: order, how: "\(daemon) is running: it carried out order #\(sequence)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIFailure(
            "\(daemon) has not carried out order #\(sequence) within \(wait) s; it stays queued in the ledger and is carried out "
                + "when the daemon gets to it (its log says \"operator order carried out\")", exitCode: ExitCodes.busy)
    }

    static func report(_ outcomes: [OperatorOrderOutcome], order: OperatorOrder, how: String) throws -> String {
        let closing = order.action == .closeEscalation
        guard !outcomes.isEmpty else { return "\(how)\nno held requests matched; nothing changed" }
        var table = TextTable([
            .init(closing ? "ESCALATION" : "REQUEST"), .init("CASE"), .init("OUTCOME"),
            .init(closing ? "KIND" : "STATE"), .init("BANK"),
        ])
        for outcome in outcomes {
            table.append([
                CanonicalUUID.string(outcome.id), outcome.caseID ?? "-", outcome.outcome.name, outcome.state ?? "-",
                outcome.bankID ?? "-",
            ])
        }
        let undecided = outcomes.filter { !$0.decided }.count
        let (noun, done, missed) =
            switch order.action {
            case .release: ("request(s)", "released", "were not held or are unknown")
            case .refuse: ("request(s)", "refused", "were not held or are unknown")
            case .closeEscalation: ("escalation(s)", "closed", "were not open or are unknown")
            }
        let text = [how, table.render(), "\(outcomes.count - undecided) of \(outcomes.count) \(noun) \(done)"].joined(
            separator: "\n")
        guard undecided == 0 else {
            throw CLIFailure(
                text + "\n\(undecided) \(noun) \(missed); nothing was done to them", exitCode: ExitCodes.failure)
        }
        return text
    }
}
