import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// Transfers as banks report them.
func toAccount(_ iban: IBAN, _ amount: String, _ reference: String) -> OnwardTransfer {
    OnwardTransfer(
        destination: .iban(IBANDestination(iban: iban)), amount: try! Money(value: amount, currency: "KZT"),
        occurredAt: t0, reference: reference)
}

func toWallet(_ amount: String, _ reference: String) -> OnwardTransfer {
    OnwardTransfer(
        destination: .cryptoWallet(
            CryptoWalletDestination(network: "TRON", address: "TQ7exampleWalletAddress000000001", exchange: "ExampleEx")
        ),
        amount: try! Money(value: amount, currency: "KZT"), occurredAt: t0, reference: reference)
}

func child(of parent: UUID, _ reference: String) -> UUID {
    DeterministicIDs.childRequestID(parent: parent, transferReference: reference)
}

@Suite("Following the money across banks, end to end", .serialized)
struct ChainFollowingEndToEndTests {
    static func chainPolicy(maxHops: Int = 5, maxChildren: Int = 3) -> RelayPolicy {
        var policy = testPolicy()
        policy.chain = ChainLimits(maxHops: maxHops, maxChildrenPerAnswer: maxChildren)
        return policy
    }

    @Test("a 5-hop chain with a split, a join, a cycle, exits, the depth limit and a repeated answer")
    func fiveHopChain() async throws {
        let harness = try Harness(policy: Self.chainPolicy())
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let a0 = kzIBAN(bank: alphaCode, account: 1)
        let b1 = kzIBAN(bank: betaCode, account: 11)
        let g1 = kzIBAN(bank: gammaCode, account: 12)
        let a2 = kzIBAN(bank: alphaCode, account: 21)
        let b3 = kzIBAN(bank: betaCode, account: 31)
        let g4 = kzIBAN(bank: gammaCode, account: 41)
        let a5 = kzIBAN(bank: alphaCode, account: 51)
        let b6 = kzIBAN(bank: betaCode, account: 61)
        let outside = kzIBAN(bank: outsiderCode, account: 99)

        let root = freezeRequest(caseID: "CASE-CHAIN", iban: a0, amount: "1000000.00")
        try await harness.publishRequest(root)
        try await harness.watcher.waitFor("root routed") { !$0.routed(root.requestID).isEmpty }

        // Hop 0 → 1: a split to two banks.
        let r0 = root.requestID
        try await harness.publishAnswer(
            answer(r0, .fundsMoved, transfers: [toAccount(b1, "600000.00", "T1"), toAccount(g1, "400000.00", "T2")]),
            from: "alpha")
        let (rb1, rg1) = (child(of: r0, "T1"), child(of: r0, "T2"))
        let split = try await harness.watcher.waitFor("two children routed, funds moved reported") {
            !$0.routed(rb1).isEmpty && !$0.routed(rg1).isEmpty && !$0.statuses(.fundsMoved, for: r0).isEmpty
        }
        let routedB1 = try #require(split.routed(rb1).first)
        #expect(routedB1.bankID.rawValue == "beta" && routedB1.chain == ChainPosition(parentRequestID: r0, hop: 1))
        #expect(
            routedB1.amount.value == "600000.00" && routedB1.fraudTransaction.reference == "T1"
                && routedB1.caseID == "CASE-CHAIN")
        #expect(routedB1.priority == root.priority)
        let moved = try #require(split.statuses(.fundsMoved, for: r0).first)
        #expect(Set(moved.children.map(\.requestID)) == [rb1, rg1])

        // Hop 1: beta sends on to a2; gamma sends to a2 as well (a join), to a wallet and to a bank outside the network.
        try await harness.publishAnswer(
            answer(rb1, .fundsMoved, transfers: [toAccount(a2, "600000.00", "T3")]), from: "beta")
        let gammaAnswer = answer(
            rg1, .fundsMoved,
            transfers: [
                toAccount(a2, "100000.00", "T4"), toWallet("200000.00", "T5"), toAccount(outside, "100000.00", "T6"),
            ])
        try await harness.publishAnswer(gammaAnswer, from: "gamma")
        let ra2 = child(of: rb1, "T3")
        let hop1 = try await harness.watcher.waitFor("a2 routed, exits reported") {
            !$0.routed(ra2).isEmpty && $0.escalations(.chainExit).count >= 2
                && !$0.statuses(.chainExit, for: rg1).isEmpty
        }
        #expect(hop1.routed(child(of: rg1, "T4")).isEmpty, "the join creates no second request for a2")
        let wallet = try #require(hop1.escalations(.chainExit).first { $0.exit?.transfer.reference == "T5" })
        if case .cryptoWallet(let destination)? = wallet.exit?.transfer.destination {
            #expect(destination.network == "TRON" && destination.exchange == "ExampleEx")
        } else {
            Issue.record("the wallet exit carries the wallet")
        }
        #expect(wallet.exit?.reportedBy.rawValue == "gamma" && wallet.bankID?.rawValue == "gamma")
        #expect(hop1.escalations(.chainExit).contains { $0.exit?.transfer.reference == "T6" })

        // A repeated answer (new response id, same transfers) and a re-delivered one create nothing new.
        var repeated = gammaAnswer
        repeated.id = UUID()
        repeated.responseID = "resent-\(gammaAnswer.responseID)"
        try await harness.publishAnswer(repeated, from: "gamma")
        try await harness.publishAnswer(gammaAnswer, from: "gamma")

        // Hops 2–5, with a cycle back to the first account at hop 3.
        try await harness.publishAnswer(
            answer(ra2, .fundsMoved, transfers: [toAccount(b3, "700000.00", "T7")]), from: "alpha")
        let rb3 = child(of: ra2, "T7")
        try await harness.watcher.waitFor("hop 3 routed") { !$0.routed(rb3).isEmpty }
        try await harness.publishAnswer(
            answer(rb3, .fundsMoved, transfers: [toAccount(g4, "650000.00", "T8"), toAccount(a0, "50000.00", "T9")]),
            from: "beta")
        let rg4 = child(of: rb3, "T8")
        try await harness.watcher.waitFor("hop 4 routed") { !$0.routed(rg4).isEmpty }
        try await harness.publishAnswer(
            answer(rg4, .fundsMoved, transfers: [toAccount(a5, "650000.00", "T10")]), from: "gamma")
        let ra5 = child(of: rg4, "T10")
        let hop5 = try await harness.watcher.waitFor("hop 5 routed") { !$0.routed(ra5).isEmpty }
        #expect(hop5.routed(ra5).first?.chain?.hop == 5)

        // Hop 5 is the limit: its onward transfer is reported, not followed.
        try await harness.publishAnswer(
            answer(ra5, .fundsMoved, transfers: [toAccount(b6, "650000.00", "T11")]), from: "alpha")
        let limited = try await harness.watcher.waitFor("depth limit reported") {
            !$0.statuses(.chainLimitReached, for: ra5).isEmpty && !$0.escalations(.chainLimit, for: ra5).isEmpty
        }
        #expect(limited.routed(child(of: ra5, "T11")).isEmpty)
        #expect(limited.statuses(.chainLimitReached, for: ra5).first?.detail.contains("hop limit 5") == true)

        // The cycle back to a0 joined the police request: no request for a0 but the first.
        try await harness.stop()
        #expect(try harness.count("requests", where: "case_id = 'CASE-CHAIN'") == 7)
        #expect(try harness.count("requests", where: "iban = '\(a0.electronicFormat)'") == 1)
        #expect(try harness.count("chain_edges", where: "outcome = 'join'") == 2)
        #expect(try harness.count("chain_edges", where: "outcome LIKE 'exit:%'") == 2)
        #expect(try harness.count("chain_edges", where: "outcome = 'limit:max_hops'") == 1)
        #expect(try harness.count("chain_edges") == 11)
        let everything = harness.watcher.all
        for id in [rb1, rg1, ra2, rb3, rg4, ra5] {
            #expect(
                Set(everything.routed(id).map(\.id)).count == 1,
                "one routed request per child, however often re-published")
        }
    }

    @Test("one answer creates at most the configured number of children; the rest is reported")
    func perAnswerLimit() async throws {
        let harness = try Harness(policy: Self.chainPolicy(maxHops: 8, maxChildren: 3))
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let root = freezeRequest(caseID: "CASE-FAN", iban: kzIBAN(bank: alphaCode, account: 2), amount: "400000.00")
        try await harness.publishRequest(root)
        try await harness.watcher.waitFor("root routed") { !$0.routed(root.requestID).isEmpty }
        let transfers = (1...4).map { toAccount(kzIBAN(bank: betaCode, account: 100 + $0), "100000.00", "F\($0)") }
        try await harness.publishAnswer(answer(root.requestID, .fundsMoved, transfers: transfers), from: "alpha")
        let seen = try await harness.watcher.waitFor("limit reported and three children routed") { seen in
            !seen.statuses(.chainLimitReached, for: root.requestID).isEmpty
                && (1...3).allSatisfy { !seen.routed(child(of: root.requestID, "F\($0)")).isEmpty }
        }
        let routedChildren = (1...4).filter { !seen.routed(child(of: root.requestID, "F\($0)")).isEmpty }
        #expect(routedChildren == [1, 2, 3])
        #expect(seen.statuses(.chainLimitReached, for: root.requestID).first?.detail.contains("F4") == true)
        let totals = try #require(seen.statuses(.chainLimitReached, for: root.requestID).first?.caseTotals)
        #expect(totals.stolen.value == "400000.00" && totals.moving.value == "400000.00")
        try await harness.stop()
        #expect(
            try harness.count("requests", where: "case_id = 'CASE-FAN'") == 4,
            "the police request and three children, not four")
        #expect(try harness.count("chain_edges", where: "outcome = 'limit:max_children_per_answer'") == 1)
    }
}
