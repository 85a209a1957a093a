import Contracts
import Foundation
import Ledger
import Synchronization

/// Counts what the relay published, per bank, for the demo's live summary.
package final class DemoTally: Sendable {
    package init() {}

    package struct BankRow: Sendable {
        package var routed = 0, acknowledged = 0, frozen = 0, moved = 0, rejected = 0
        package var escalations = 0, highestLevel = 0, resolved = 0
    }

    private struct State {
        var banks: [String: BankRow] = [:]
        var deadLetters: [String: Int] = [:]
        var unroutable = 0, chainExits = 0, children = 0, foreign = 0, unauthenticated = 0, published = 0
        var linkedAccounts = 0
    }

    private let state = Mutex(State())

    package func record(_ messages: [OutboxMessage]) {
        let events = messages.compactMap { try? EventDecoder.decodeEvent($0.payload) }
        state.withLock { state in
            state.published += events.count
            for event in events {
                switch event {
                case .requestStatus(let status):
                    let bank = status.bankID?.rawValue ?? "-"
                    switch status.status {
                    case .routed: state.banks[bank, default: BankRow()].routed += 1
                    case .acknowledged: state.banks[bank, default: BankRow()].acknowledged += 1
                    case .frozen, .partiallyFrozen: state.banks[bank, default: BankRow()].frozen += 1
                    case .fundsMoved:
                        state.banks[bank, default: BankRow()].moved += 1
                        state.children += status.children.count
                    case .rejected: state.banks[bank, default: BankRow()].rejected += 1
                    case .unroutable: state.unroutable += 1
                    case .chainExit: state.chainExits += status.exits.count
                    default: break
                    }
                case .escalation(let escalation):
                    if escalation.kind == .foreignResponse { state.foreign += 1 }
                    if escalation.kind == .unauthenticatedOrder { state.unauthenticated += 1 }
                    guard let bank = escalation.bankID?.rawValue else { continue }
                    state.banks[bank, default: BankRow()].escalations += 1
                    state.banks[bank, default: BankRow()].highestLevel = max(
                        state.banks[bank, default: BankRow()].highestLevel, escalation.level)
                case .escalationResolved(let resolved):
                    if let bank = resolved.bankID?.rawValue { state.banks[bank, default: BankRow()].resolved += 1 }
                case .deadLetter(let letter):
                    state.deadLetters[letter.reason.code.rawValue, default: 0] += 1
                case .linkedAccount:
                    state.linkedAccounts += 1
                default: break
                }
            }
        }
    }

    /// A fixed-width table of the counts so far.
    package func render(elapsed: Duration) -> String {
        state.withLock { state in
            var lines = [
                "— after \(elapsed.components.seconds)s: \(state.published) events published —",
                "bank       routed   acked  frozen   moved  escalations  max level  resolved",
            ]
            for bank in state.banks.keys.sorted() where bank != "-" {
                let row = state.banks[bank]!
                let cells =
                    [row.routed, row.acknowledged, row.frozen, row.moved].map { String(format: "%8d", $0) }.joined()
                    + String(format: "%13d%11d%10d", row.escalations, row.highestLevel, row.resolved)
                lines.append(bank.padding(toLength: 8, withPad: " ", startingAt: 0) + cells)
            }
            let letters =
                state.deadLetters.isEmpty
                ? "none"
                : state.deadLetters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            lines.append(
                "follow-up requests: \(state.children), chain exits: \(state.chainExits), unroutable: \(state.unroutable), foreign answers refused: \(state.foreign), "
                    + "unsigned or forged orders refused: \(state.unauthenticated), "
                    + "accounts linked to other cases: \(state.linkedAccounts)")
            lines.append("dead letters: \(letters)")
            return lines.joined(separator: "\n")
        }
    }
}
