import Contracts
import Foundation
import Relay
import RelayTestSupport

@testable import Ledger

/// A case whose money is followed one hop: every `EdgeOutcome` occurs once or more.
///
/// Halyk partially freezes the police request (in USD, with a hold) and reports nine onward
/// transfers: two children (Kaspi, Jusan), five exits (crypto, cash, card, a bank outside the
/// table, a disabled bank) and two limits (under the minimum, over the children per answer).
/// Kaspi then reports funds moved: back to the police account (a join) and on to a second hop
/// (over the hop limit). Jusan freezes.
struct ChainScenario {
    static let caseID = "C-CHAIN-1"
    static let rootIBAN = Fixture.iban("601", "1")
    static let kaspiIBAN = Fixture.iban("722", "2")
    static let jusanIBAN = Fixture.iban("998", "3")

    let root = Fixture.uuid(1)
    let kaspiChild = DeterministicIDs.childRequestID(parent: Fixture.uuid(1), transferReference: "T1")
    let jusanChild = DeterministicIDs.childRequestID(parent: Fixture.uuid(1), transferReference: "T6")
    let rootHold = Fixture.time(3 * 86_400, ms: 125)
    let jusanHold = Fixture.time(2 * 86_400)

    static let allOutcomes: Set<String> = [
        "child", "join", "exit:crypto_wallet", "exit:cash_withdrawal", "exit:card", "exit:non_participating_bank",
        "exit:disabled_bank", "limit:max_hops", "limit:max_children_per_answer", "limit:minimum_amount",
    ]

    @discardableResult
    static func run(_ driver: LedgerRelayDriver) throws -> ChainScenario {
        let scenario = ChainScenario()
        let t = { (seconds: Int64, ms: Int32) in Fixture.time(seconds, ms: ms) }
        try driver.receive(
            Fixture.request(1, caseID: caseID, iban: rootIBAN, amount: "500000", at: t(0, 0)), at: t(0, 0))
        try driver.answer(
            Fixture.response(1, to: scenario.root, .acknowledged, at: t(60, 250)), from: Fixture.halyk, at: t(60, 250))
        let at = t(600, 500)
        let transfers: [OnwardTransfer] = [
            Fixture.toIBAN(kaspiIBAN, "200000", "T1", at: t(500, 0)),
            OnwardTransfer(
                destination: .cryptoWallet(
                    CryptoWalletDestination(network: "TRON", address: "TXabc", exchange: "Binance")),
                amount: Fixture.kzt("50000"), occurredAt: t(501, 0), reference: "T2"),
            Fixture.toIBAN(Fixture.iban("111", "9"), "20000", "T3", at: t(502, 0)),
            Fixture.toIBAN(Fixture.iban("555", "9"), "15000", "T4", at: t(503, 0)),
            Fixture.toIBAN(Fixture.iban("998", "4"), "500", "T5", at: t(504, 0)),
            Fixture.toIBAN(jusanIBAN, "30000", "T6", at: t(505, 0)),
            Fixture.toIBAN(Fixture.iban("998", "5"), "30000", "T7", at: t(506, 0)),
            OnwardTransfer(
                destination: .cashWithdrawal(CashWithdrawalDestination(location: "ATM 12")),
                amount: Fixture.kzt("10000"), occurredAt: t(507, 0), reference: "T8"),
            OnwardTransfer(
                destination: .card(CardDestination(maskedPAN: "4400********1234", network: "VISA")),
                amount: Fixture.kzt("5000"), occurredAt: t(508, 0), reference: "T9"),
        ]
        try driver.answer(
            Fixture.response(
                2, to: scenario.root, .partiallyFrozen, at: at,
                frozen: try Money(value: "100", currency: "USD"), reason: "balance was lower",
                holdUntil: scenario.rootHold, transfers: transfers),
            from: Fixture.halyk, at: at)
        try driver.answer(
            Fixture.response(
                3, to: scenario.kaspiChild, .fundsMoved, at: t(900, 0),
                transfers: [
                    Fixture.toIBAN(rootIBAN, "50000", "U1", at: t(850, 0)),
                    Fixture.toIBAN(Fixture.iban("601", "77"), "60000", "U2", at: t(851, 0)),
                ]), from: Fixture.kaspi, at: t(900, 0))
        try driver.answer(
            Fixture.response(
                4, to: scenario.jusanChild, .frozen, at: t(1200, 0), frozen: Fixture.kzt("30000"),
                holdUntil: scenario.jusanHold),
            from: Fixture.jusan, at: t(1200, 0))
        return scenario
    }
}
