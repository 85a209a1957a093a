import Contracts
import Foundation
import Testing

@testable import FreezeRelay

@Suite("freeze-relay case")
struct CaseCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func show(_ caseID: String, _ arguments: [String] = []) throws -> CaseCommand {
        try CaseCommand.parse([caseID, "--database", fixture.path, "--now", reportNowText] + arguments)
    }

    @Test("text: the chain tree, then escalations, then the audit trail")
    func text() throws {
        let output = try show(Cases.chain).output()
        let tree = try #require(output.components(separatedBy: "\n\nescalations").first)
        #expect(tree.hasPrefix("case CASE-CHAIN"))
        #expect(tree.contains("hop 0  alpha  ****0004  900000.00 KZT  funds_moved"))
        #expect(tree.contains("hop 1  beta  ****0041  400000.00 KZT  frozen"))
        #expect(tree.contains("EXIT (crypto_wallet): crypto wallet TXwallet1 on TRON"))
        #expect(tree.contains("joins the request already at alpha ****0004"))
        #expect(output.contains("escalations (1 open, 0 resolved):"))
        let escalations = try #require(
            output.components(separatedBy: "escalations (1 open, 0 resolved):\n").last?.components(separatedBy: "\n\n")
                .first)
        #expect(
            escalations.split(separator: "\n").first?.split(separator: " ").joined(separator: " ")
                == "ESCALATION KIND LEVEL BANK REQUEST RAISED DEADLINE STATUS")
        #expect(escalations.contains("chain_exit"))
        #expect(escalations.contains("OPEN"))
        let audit = try #require(output.components(separatedBy: "audit trail (").last)
        let lines = audit.split(separator: "\n").map(String.init)
        #expect(lines[1].split(separator: " ").joined(separator: " ") == "TIME REQUEST CAUSE OLD → NEW DETAIL")
        let routed = try #require(lines.first { $0.contains("(new) → routed") })
        #expect(routed.hasPrefix("2026-03-02T09:02:00Z  00000000  freeze.requests/0@"))
        #expect(lines.contains { $0.contains("routed → funds_moved") })
    }

    @Test("text shows resolved escalations with how and when")
    func resolvedEscalation() throws {
        let output = try show(Cases.resolved).output()
        #expect(output.contains("escalations (0 open, 1 resolved):"))
        let line = try #require(output.split(separator: "\n").first { $0.contains("ack_overdue") })
        #expect(line.contains("resolved answered 2026-03-02T09:20:00Z"))
        #expect(line.contains("gamma"))
    }

    @Test("text marks open overdue escalations with how late they are")
    func overdueEscalation() throws {
        let output = try show(Cases.late).output()
        #expect(output.contains("escalations (2 open, 0 resolved):"))
        let ack = try #require(output.split(separator: "\n").first { $0.contains("ack_overdue") })
        // Acknowledge by 09:10, judged at 11:00: 1h50m late; level 2 was raised at 10:00.
        #expect(ack.contains("OPEN (1h50m overdue)"))
        #expect(ack.contains(" 2 "))
    }

    @Test("JSON: the tree plus escalations and audit")
    func json() throws {
        let document = try jsonObject(try show(Cases.chain, ["--format", "json"]).output())
        #expect(document["case_id"] as? String == Cases.chain)
        let requests = try #require(document["requests"] as? [[String: Any]])
        #expect(requests.map { $0["hop"] as? Int } == [0, 1])
        #expect(requests[1]["parent_request_id"] as? String == CanonicalUUID.string(Requests.chainRoot))
        let edges = try #require(document["edges"] as? [[String: Any]])
        #expect(Set(edges.compactMap { $0["outcome"] as? String }) == ["child", "exit:crypto_wallet", "join"])
        let escalations = try #require(document["escalations"] as? [[String: Any]])
        #expect(escalations.count == 1)
        #expect(escalations[0]["kind"] as? String == "chain_exit")
        #expect(escalations[0]["open"] as? Bool == true)
        #expect(escalations[0]["resolution"] is NSNull)
        let audit = try #require(document["audit"] as? [[String: Any]])
        let sequence = audit.compactMap { $0["seq"] as? Int }
        #expect(sequence.count == audit.count && sequence == sequence.sorted() && !sequence.isEmpty)
        #expect(audit.first?["new_state"] as? String == "routed")
        #expect(audit.first?["old_state"] is NSNull)
    }

    @Test("dot: a Graphviz graph with the chain's edges")
    func dot() throws {
        let output = try show(Cases.chain, ["--format", "dot"]).output()
        #expect(output.hasPrefix("digraph \"case CASE-CHAIN\" {"))
        #expect(output.hasSuffix("}"))
        #expect(output.contains("style=dashed"))  // the join
        #expect(output.contains("shape=octagon"))  // the exit
        #expect(output.components(separatedBy: " -> ").count == 4)  // child, join, exit
    }

    @Test("an unknown case exits 3; a bad format exits 2")
    func errors() async throws {
        #expect(await exitStatus(try show("CASE-NOPE")) == 3)
        let unknown = await failure { try show("CASE-NOPE").output() }
        #expect(unknown?.message.hasPrefix("no case \"CASE-NOPE\" in the ledger") == true)
        #expect(await exitStatus(try show(Cases.chain, ["--format", "table"])) == 2)
        let missing = try CaseCommand.parse([Cases.chain, "--database", fixture.file("missing.sqlite")])
        #expect(await exitStatus(missing) == 3)
    }
}
