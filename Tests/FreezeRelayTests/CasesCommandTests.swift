import Contracts
import Foundation
import Ledger
import Testing

@testable import FreezeRelay

@Suite("freeze-relay cases")
struct CasesCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func cases(_ arguments: [String]) throws -> CasesCommand {
        try CasesCommand.parse(["--database", fixture.path, "--now", reportNowText] + arguments)
    }

    func listed(_ arguments: [String]) throws -> [String] {
        firstColumn(try cases(arguments).output()).filter { $0.hasPrefix("CASE-") }
    }

    @Test("the table has one row per case, newest first, with the documented columns")
    func table() throws {
        let output = try cases([]).output()
        let lines = output.split(separator: "\n").map(String.init)
        #expect(
            lines[0].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                == "CASE REQUESTS MAX HOP BANKS STATES FIRST RECEIVED OPEN ESC OVERDUE REPORTED FROZEN")
        #expect(firstColumn(output).filter { $0.hasPrefix("CASE-") } == Cases.all)
        let chain = try #require(row(output, Cases.chain))
        #expect(chain.contains("alpha,beta"))
        #expect(chain.contains("frozen:1 funds_moved:1"))
        #expect(chain.contains("900000.00 KZT"))
        #expect(chain.contains("400000.00 KZT"))
        #expect(try #require(row(output, Cases.late)).contains("OVERDUE"))
        #expect(!(try #require(row(output, Cases.frozen)).contains("OVERDUE")))
        #expect(output.hasSuffix("9 case(s), 2 overdue, judged at 2026-03-02T11:00:00Z"))
    }

    @Test("JSON carries every summary field")
    func json() throws {
        let document = try jsonObject(try cases(["--format", "json"]).output())
        #expect(document["judged_at"] as? String == reportNowText)
        #expect(document["count"] as? Int == 9)
        let rows = try #require(document["cases"] as? [[String: Any]])
        #expect(rows.compactMap { $0["case_id"] as? String } == Cases.all)
        let chain = try #require(rows.first { $0["case_id"] as? String == Cases.chain })
        #expect(chain["requests"] as? Int == 2)
        #expect(chain["max_hop"] as? Int == 1)
        #expect(chain["banks"] as? [String] == ["alpha", "beta"])
        #expect(chain["states"] as? [String: Int] == ["funds_moved": 1, "frozen": 1])
        #expect(chain["overdue"] as? Bool == false)
        #expect(chain["open_escalations"] as? Int == 1)  // the crypto exit
        #expect(chain["first_received_at"] as? String == "2026-03-02T09:02:00Z")
        #expect(chain["reported"] as? [[String: String]] == [["value": "900000.00", "currency": "KZT"]])
        #expect(chain["frozen"] as? [[String: String]] == [["value": "400000.00", "currency": "KZT"]])
        let late = try #require(rows.first { $0["case_id"] as? String == Cases.late })
        #expect(late["overdue"] as? Bool == true)
        #expect(late["open_escalations"] as? Int == 2)
        #expect(late["banks"] as? [String] == ["beta"])
        let unroutable = try #require(rows.first { $0["case_id"] as? String == Cases.unroutable })
        #expect(unroutable["banks"] as? [String] == [])
        #expect(unroutable["states"] as? [String: Int] == ["unroutable": 1])
    }

    @Test("filters: --overdue, --bank, --state, --since (time and duration), --limit")
    func filters() throws {
        #expect(try listed(["--overdue"]) == [Cases.late, Cases.oldOpen])
        #expect(try listed(["--bank", "gamma"]) == [Cases.resolved, Cases.oldRejected])
        #expect(try listed(["--bank", "beta", "--overdue"]) == [Cases.late])
        #expect(try listed(["--state", "unroutable"]) == [Cases.unroutable])
        #expect(try listed(["--state", "frozen"]) == [Cases.chain, Cases.frozen, Cases.resolved])
        let today = [Cases.unroutable, Cases.late, Cases.chain, Cases.frozen, Cases.resolved]
        #expect(try listed(["--since", "2026-03-02T09:00:00Z"]) == today)
        #expect(try listed(["--since", "3h"]) == today)
        #expect(try listed(["--since", "2d"]) == today + [Cases.recentClosed])
        let limited = try cases(["--limit", "2"]).output()
        #expect(firstColumn(limited).filter { $0.hasPrefix("CASE-") } == [Cases.unroutable, Cases.late])
        #expect(limited.contains("raise --limit to see more"))
        let none = try cases(["--state", "released"]).output()
        #expect(none.contains("(no case matches)"))
    }

    @Test("bad values exit 2 and name the valid ones")
    func badValues() async throws {
        #expect(await exitStatus(try cases(["--state", "bogus"])) == 2)
        let state = await failure { try cases(["--state", "bogus"]).output() }
        #expect(state?.message.contains("unroutable, routed, acknowledged, frozen") == true)
        #expect(await exitStatus(try cases(["--bank", "omega"])) == 2)
        let bank = await failure { try cases(["--bank", "omega"]).output() }
        #expect(bank?.message.contains("known banks: alpha, beta, gamma") == true)
        #expect(await exitStatus(try cases(["--bank", "Not A Bank"])) == 2)
        #expect(await exitStatus(try cases(["--since", "yesterday"])) == 2)
        #expect(await exitStatus(try cases(["--limit", "0"])) == 2)
        #expect(await exitStatus(try cases(["--format", "xml"])) == 2)
        #expect(await exitStatus(try cases(["--now", "noon"])) == 2)
    }

    @Test("no ledger at the path exits 3")
    func noLedger() async throws {
        let command = try CasesCommand.parse(["--database", fixture.file("missing.sqlite")])
        #expect(await exitStatus(command) == 3)
        #expect(!FileManager.default.fileExists(atPath: fixture.file("missing.sqlite")))
    }
}
