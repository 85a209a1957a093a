import Foundation
import Testing

@testable import FreezeRelay

@Suite("freeze-relay banks")
struct BanksCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func banks(_ arguments: [String] = []) throws -> BanksCommand {
        try BanksCommand.parse(["--database", fixture.path, "--now", reportNowText] + arguments)
    }

    @Test("the table: one row per bank with counts, SLA, latencies and open escalations")
    func table() throws {
        let output = try banks().output()
        let header = output.split(separator: "\n")[0].split(separator: " ").joined(separator: " ")
        #expect(
            header
                == "BANK ROUTED IN TIME LATE OPEN OVERDUE SLA ACK MEDIAN ACK P95 FREEZE MEDIAN FREEZE P95 OPEN ESCALATIONS"
        )
        #expect(firstColumn(output).filter { !$0.hasPrefix("SLA") } == ["alpha", "beta", "gamma"])
        // alpha: 4 routed, 3 final answers in time, the old case open past its freeze deadline.
        let alphaRow = try #require(row(output, "alpha")).split(separator: " ").map(String.init)
        #expect(
            alphaRow == [
                "alpha", "4", "3", "0", "1", "75.0%", "3m30s", "11m48s", "10m00s", "10m00s", "freeze_overdue:1",
                "chain_exit:1",
            ])
        let betaRow = try #require(row(output, "beta")).split(separator: " ").map(String.init)
        #expect(
            betaRow == [
                "beta", "3", "1", "0", "1", "50.0%", "5m00s", "5m00s", "5m00s", "5m00s", "ack_overdue:1",
                "freeze_overdue:1",
            ])
        let gammaRow = try #require(row(output, "gamma")).split(separator: " ").map(String.init)
        #expect(
            gammaRow == ["gamma", "2", "2", "0", "0", "100.0%", "15m00s", "19m30s", "25m00s", "25m00s", "rejected:1"])
    }

    @Test("JSON: the same numbers, in seconds and shares")
    func json() throws {
        let document = try jsonObject(try banks(["--format", "json"]).output())
        let rows = try #require(document["banks"] as? [[String: Any]])
        #expect(rows.compactMap { $0["bank_id"] as? String } == ["alpha", "beta", "gamma"])
        let alphaStats = rows[0]
        #expect(alphaStats["routed"] as? Int == 4)
        #expect(alphaStats["answered_in_time"] as? Int == 3)
        #expect(alphaStats["answered_late"] as? Int == 0)
        #expect(alphaStats["open_overdue"] as? Int == 1)
        #expect(alphaStats["sla_compliance"] as? Double == 0.75)
        let acknowledge = try #require(alphaStats["time_to_acknowledge"] as? [String: Any])
        #expect(acknowledge["count"] as? Int == 4)
        #expect(acknowledge["median_seconds"] as? Double == 210)
        #expect(alphaStats["open_escalations"] as? [String: Int] == ["freeze_overdue": 1, "chain_exit": 1])
        let betaStats = rows[1]
        #expect(betaStats["open_within_deadline"] as? Int == 0)
        #expect(betaStats["open_escalations"] as? [String: Int] == ["ack_overdue": 1, "freeze_overdue": 1])
    }

    @Test("bad format exits 2, no ledger exits 3")
    func errors() async throws {
        #expect(await exitStatus(try banks(["--format", "dot"])) == 2)
        #expect(await exitStatus(try BanksCommand.parse(["--database", fixture.file("missing.sqlite")])) == 3)
    }
}
