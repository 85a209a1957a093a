import Contracts
import Foundation
import Relay
import RelayTestSupport

@testable import Ledger

/// Several cases in different conditions, for the operator queries. Judged at `now`
/// (time 7000 s) unless a test says otherwise.
///
/// | case | first received | requests |
/// |---|---|---|
/// | C-CHAIN-1 | 0 | `ChainScenario`: halyk partially frozen, kaspi funds moved, jusan frozen |
/// | C-DONE | 100 | 30 halyk: account not found at 200 (closed) |
/// | C-SLOW | 1000 | 40 jusan: frozen at 3000 (late); 41 jusan: never answered (overdue) |
/// | C-LATE | 5000 | 20 kaspi (normal): never answered; 21 jusan (normal): acknowledged at 5100 |
/// | C-UNR | 6000 | 50 unroutable (bank code 111) |
struct QueryDataset {
    static let now = Fixture.time(7000)
    let driver: LedgerRelayDriver
    let chain: ChainScenario

    @discardableResult
    static func build(_ ledger: Ledger) throws -> QueryDataset {
        let driver = LedgerRelayDriver(ledger: ledger)
        let chain = try ChainScenario.run(driver)
        let t = { (seconds: Int64) in Fixture.time(seconds) }
        try driver.receive(
            Fixture.request(30, caseID: "C-DONE", iban: Fixture.iban("601", "30"), amount: "2000", at: t(100)),
            at: t(100))
        try driver.answer(
            Fixture.response(30, to: Fixture.uuid(30), .accountNotFound, at: t(200)), from: Fixture.halyk, at: t(200))

        try driver.receive(
            Fixture.request(40, caseID: "C-SLOW", iban: Fixture.iban("998", "40"), amount: "3000", at: t(1000)),
            at: t(1000))
        try driver.receive(
            Fixture.request(41, caseID: "C-SLOW", iban: Fixture.iban("998", "41"), amount: "4000", at: t(1000)),
            at: t(1000))
        try driver.answer(
            Fixture.response(40, to: Fixture.uuid(40), .frozen, at: t(3000), frozen: Fixture.kzt("3000")),
            from: Fixture.jusan, at: t(3000))

        try driver.receive(
            Fixture.request(
                20, caseID: "C-LATE", iban: Fixture.iban("722", "20"), amount: "5000", priority: .normal, at: t(5000)),
            at: t(5000))
        try driver.receive(
            Fixture.request(
                21, caseID: "C-LATE", iban: Fixture.iban("998", "21"), amount: "6000", priority: .normal, at: t(5000)),
            at: t(5000))
        try driver.answer(
            Fixture.response(21, to: Fixture.uuid(21), .acknowledged, at: t(5100)), from: Fixture.jusan, at: t(5100))

        try driver.receive(
            Fixture.request(50, caseID: "C-UNR", iban: Fixture.iban("111", "50"), amount: "7000", at: t(6000)),
            at: t(6000))
        return QueryDataset(driver: driver, chain: chain)
    }
}
