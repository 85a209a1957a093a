import Contracts
import Foundation
import TestSupport
import Testing

/// The crash harness is only as good as its checks: a run that kept every promise passes, and each
/// kind of broken promise is found and counted.
@Suite("Crash harness verdict")
struct CrashVerdictTests {
    static let scenario = CrashScenario(seed: 99, recordCount: 60, time: t0)
    static let deadLetterSource = DeadLetter.Source(topic: "freeze.requests", partition: 1, offset: 7)

    /// What a relay that kept every promise publishes and stores for `scenario`.
    static func faithfulRun() -> (published: [PublishedRecord], ledger: LedgerSnapshot) {
        var published: [PublishedRecord] = []
        var ledger = LedgerSnapshot()
        @discardableResult
        func publish(_ event: Event, on topic: String) -> [UInt8] {
            let bytes = try! EventEncoder.encode(event)
            published.append(
                PublishedRecord(
                    topic: topic, partition: 0, offset: Int64(published.count), key: nil, value: bytes,
                    event: event, readAt: .now))
            return bytes
        }
        var random = SplitMix64(state: 1)
        for (id, expected) in scenario.expectedRequests {
            ledger.requests[id] = expected
            guard let bank = expected.bank else { continue }
            var request = CrashScenario.request(number: 1, code: "125", time: t0, using: &random)
            request.requestID = id
            let routed = RoutedRequest(
                routing: request, id: random.uuid(), createdAt: t0, bankID: bank, acknowledgeBy: t0, freezeBy: t0)
            ledger.outboxRoutings[id] = [
                (routed.id, publish(.routedRequest(routed), on: "freeze.bank.\(bank).requests"))
            ]
            ledger.routingAudits[id] = 1
            publish(
                .requestStatus(
                    RequestStatus(
                        id: random.uuid(), createdAt: t0, requestID: id, caseID: "C", bankID: bank, status: .routed,
                        detail: "routed")),
                on: "freeze.status")
            if scenario.cancelled.contains(id) {
                publish(
                    .routedCancel(
                        RoutedCancel(
                            id: random.uuid(), createdAt: t0, requestID: id, caseID: "C", bankID: bank, reason: "r",
                            issuedAt: t0, issuer: CrashScenario.issuer)), on: "freeze.bank.\(bank).requests")
            }
        }
        publish(
            .deadLetter(
                DeadLetter(
                    id: random.uuid(), createdAt: t0, source: deadLetterSource, key: nil, value: [1],
                    reason: .init(code: .invalidJSON, path: nil, message: "m"), deadLetteredAt: t0)),
            on: "freeze.deadletter")
        ledger.responses = scenario.expectedAnswers
        ledger.edges = scenario.expectedEdges
        return (published, ledger)
    }

    static func verdict(_ run: (published: [PublishedRecord], ledger: LedgerSnapshot)) -> CrashVerdict {
        CrashVerdict(
            scenario: scenario, deadLetterSources: [deadLetterSource], published: run.published, ledger: run.ledger)
    }

    /// Built once: encoding every event (and validating it) is slow in debug builds, and each test
    /// only changes its own copy.
    static let faithful = faithfulRun()

    static let routedRecord: Int = faithful.published.firstIndex {
        if case .routedRequest? = $0.event { true } else { false }
    }!

    @Test("a faithful run passes, and a byte-identical re-emission is only counted")
    func faithful() {
        var run = Self.faithful
        #expect(
            Self.scenario.cancelled.count > 0 && Self.scenario.expectedEdges > 0,
            "the scenario exercises cancels and chains")
        run.published.append(run.published[Self.routedRecord])
        let verdict = Self.verdict(run)
        #expect(verdict.problems == [])
        #expect(
            verdict.reEmissions == 1
                && verdict.routed == Self.scenario.expectedRequests.values.filter { $0.bank != nil }.count)
    }

    enum Breach: String, CaseIterable {
        case routingLost, routedTwiceUnderTwoIDs, sameIDOtherBytes, auditedTwice, deadLetterLost, answerLost,
            requestLost, ledgerCorrupt
    }

    @Test("every broken promise is found", arguments: Breach.allCases)
    func breachesAreFound(_ breach: Breach) {
        var run = Self.faithful
        let index = Self.routedRecord
        guard case .routedRequest(var routed)? = run.published[index].event else { return }
        switch breach {
        case .routingLost: run.published.remove(at: index)
        case .routedTwiceUnderTwoIDs:
            routed.id = UUID()
            run.published.append(
                PublishedRecord(
                    topic: run.published[index].topic, partition: 0, offset: 999, key: nil,
                    value: try! EventEncoder.encode(routed), event: .routedRequest(routed), readAt: .now))
        case .sameIDOtherBytes:
            routed.caseID = "OTHER"
            run.published.append(
                PublishedRecord(
                    topic: run.published[index].topic, partition: 0, offset: 999, key: nil,
                    value: try! EventEncoder.encode(routed), event: .routedRequest(routed), readAt: .now))
        case .auditedTwice: run.ledger.routingAudits[routed.requestID] = 2
        case .deadLetterLost: run.published.removeAll { if case .deadLetter? = $0.event { true } else { false } }
        case .answerLost: run.ledger.responses.removeFirst()
        case .requestLost: run.ledger.requests[routed.requestID] = nil
        case .ledgerCorrupt: run.ledger.integrityProblems = ["*** in database main ***"]
        }
        let verdict = Self.verdict(run)
        #expect(!verdict.problems.isEmpty)
        switch breach {
        case .routingLost, .deadLetterLost, .answerLost, .requestLost: #expect(verdict.lost > 0)
        case .routedTwiceUnderTwoIDs, .sameIDOtherBytes, .auditedTwice: #expect(verdict.doubleEffects > 0)
        case .ledgerCorrupt: #expect(!verdict.integrityOK)
        }
    }
}
