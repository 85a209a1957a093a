import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayRuntime

@Suite("Only configured banks' responses topics are read", .serialized)
struct SubscriptionTests {
    @Test(
        "the subscription names the requests topic and every configured bank's responses topic, disabled banks included"
    )
    func explicitSubscription() throws {
        var gamma = bank("gamma", code: gammaCode, enabled: false)
        gamma.responsesTopic = "gamma.freeze.outbound"
        let policy = testPolicy(banks: [bank("alpha", code: alphaCode), bank("beta", code: betaCode), gamma])
        #expect(
            RelaySettings.subscriptions(for: policy) == [
                "freeze.requests", "freeze.bank.alpha.responses", "freeze.bank.beta.responses", "gamma.freeze.outbound",
            ])
        #expect(policy.bank(forResponsesTopic: "freeze.bank.ghost.responses") == nil)
        #expect(policy.bank(forResponsesTopic: "freeze.bank.gamma.responses") == nil)
        #expect(policy.bank(forResponsesTopic: "gamma.freeze.outbound")?.rawValue == "gamma")
    }

    @Test("a record on the responses topic of a bank not in the table is never read and raises nothing")
    func unconfiguredBankTopic() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let ghostTopic = "freeze.bank.ghost.responses"
        try harness.cluster.createTopic(ghostTopic, partitions: 1)
        let request = freezeRequest(caseID: "CASE-G1", iban: kzIBAN(bank: alphaCode, account: 91))
        // Published before the relay starts, so a pattern subscription would read it at once.
        try await harness.publish(record(answer(request.requestID, .frozen, frozen: "1.00"), topic: ghostTopic))
        let assigned = Mutex<Set<String>>([])
        let observer = RelayObserver()
        observer.add(rebalanced: { event in
            if case .assigned(let partitions) = event { assigned.withLock { $0.formUnion(partitions.map(\.topic)) } }
        })
        let daemon = try harness.start(observer: observer)
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        try await harness.publishAnswer(answer(request.requestID, .acknowledged), from: "alpha")
        let seen = try await harness.watcher.waitFor("acknowledged") {
            !$0.statuses(.acknowledged, for: request.requestID).isEmpty
        }
        #expect(!assigned.withLock { $0 }.contains(ghostTopic))
        #expect(assigned.withLock { $0 }.contains("freeze.bank.alpha.responses"))
        #expect(seen.escalations().isEmpty)
        #expect(seen.deadLetters.isEmpty)
        #expect(try harness.count("consumer_positions", where: "topic = '\(ghostTopic)'") == 0)
        #expect(!daemon.metricsText().contains("ghost"))
        #expect(daemon.failure == nil)
    }
}
