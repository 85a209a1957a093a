import Contracts
import Foundation
import RelayTestSupport
import TestSupport

/// The fixed world of the crash harness: three participating banks and a code none of them has.
enum CrashWorld {
    static let banks: [(id: String, code: String)] = [("alpha", "125"), ("beta", "601"), ("gamma", "722")]
    /// A bank code outside the routing table: requests there are unroutable, transfers there leave the chain.
    static let outsiderCode = "555"
    /// Money moved on is followed at most this deep by the simulated banks' answers.
    static let deepestMovingHop = 1

    static func bank(ofCode code: String) -> BankID? {
        banks.first { $0.code == code }.map { try! BankID($0.id) }
    }

    static func bank(of iban: IBAN) -> BankID? {
        bank(ofCode: String(iban.bban.prefix(3)))
    }
}

/// What a simulated bank does with one routed request: a pure function of the run's seed and the
/// request, so the harness knows every answer (and every follow-up request it causes) in advance.
enum BankPlan: Equatable {
    /// Never answers.
    case silent
    /// Acknowledges, then nothing more.
    case acknowledge
    /// Acknowledges, then freezes the whole amount.
    case freeze
    /// Acknowledges, then reports the money moved on.
    case moveFunds([OnwardTransfer])

    /// The plan for a request at `hop` (0 for police requests). Cancels are only sent for silent and
    /// acknowledging plans, whose outcome does not depend on whether the cancel or the answer comes first.
    static func of(_ requestID: UUID, hop: Int, seed: UInt64, at time: Timestamp) -> BankPlan {
        var random = SplitMix64(seed: seed, subject: requestID)
        let roll = Int.random(in: 0..<100, using: &random)
        let moves = hop <= CrashWorld.deepestMovingHop && roll >= (hop == 0 ? 70 : 80)
        if moves { return .moveFunds(transfers(from: requestID, time: time, using: &random)) }
        switch roll {
        case ..<15: return .silent
        case ..<40: return .acknowledge
        default: return .freeze
        }
    }

    /// One to three transfers: mostly to accounts at participating banks (each a new account, so
    /// a follow-up request rather than a join), some to a crypto wallet or an outside bank (exits).
    private static func transfers(from requestID: UUID, time: Timestamp, using random: inout SplitMix64)
        -> [OnwardTransfer]
    {
        let tag = String(CanonicalUUID.string(requestID).prefix(8))
        return (0..<Int.random(in: 1...3, using: &random)).map { index in
            let destination: TransferDestination
            if random.chance(15) {
                destination = .cryptoWallet(
                    CryptoWalletDestination(network: "TRON", address: "TCrashHarnessWallet\(tag)\(index)"))
            } else {
                let code =
                    random.chance(10) ? CrashWorld.outsiderCode : CrashWorld.banks.randomElement(using: &random)!.code
                // Account numbers stay below Int32.max: kzIBAN formats them with %d.
                destination = .iban(
                    IBANDestination(
                        iban: kzIBAN(bank: code, account: Int.random(in: 1...2_000_000_000, using: &random))))
            }
            return OnwardTransfer(
                destination: destination, amount: try! Money(value: "\(100 * (index + 1)).00", currency: "KZT"),
                occurredAt: time, reference: "TX-\(tag)-\(index)")
        }
    }

    /// Follow-up requests the relay must create from this plan's answer: (child id, bank).
    func children(of parent: UUID) -> [(id: UUID, bank: BankID)] {
        guard case .moveFunds(let transfers) = self else { return [] }
        return transfers.compactMap { transfer in
            guard case .iban(let destination) = transfer.destination, let bank = CrashWorld.bank(of: destination.iban)
            else { return nil }
            return (DeterministicIDs.childRequestID(parent: parent, transferReference: transfer.reference), bank)
        }
    }

    /// The state the request ends in when nothing else (a cancel) interferes.
    var finalState: String {
        switch self {
        case .silent: "routed"
        case .acknowledge: "acknowledged"
        case .freeze: "frozen"
        case .moveFunds: "funds_moved"
        }
    }

    /// The answers, in order.
    var statuses: [BankResponseStatus] {
        switch self {
        case .silent: []
        case .acknowledge: [.acknowledged]
        case .freeze: [.acknowledged, .frozen]
        case .moveFunds: [.acknowledged, .fundsMoved]
        }
    }

    /// Whether a cancel may be sent for a request with this plan.
    var cancellable: Bool { self == .silent || self == .acknowledge }
}
