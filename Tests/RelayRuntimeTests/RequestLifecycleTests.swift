import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Synchronization
import Testing

@testable import RelayRuntime

@Suite("Duplicates, unroutable requests, cancels and holds, end to end", .serialized)
struct RequestLifecycleTests {
    @Test("the same request twice is routed once; the same id with other content is refused and reported")
    func duplicates() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-D1", iban: kzIBAN(bank: alphaCode, account: 3))
        try await harness.publishRequest(request)
        var resent = request
        resent.id = UUID()  // a new envelope, same content: a harmless re-send
        try await harness.publishRequest(resent)
        var conflicting = request
        conflicting.id = UUID()
        conflicting.amount = try Money(value: "999.00", currency: "KZT")
        try await harness.publishRequest(conflicting)

        let seen = try await harness.watcher.waitFor("conflict reported") {
            !$0.statuses(.duplicateConflict, for: request.requestID).isEmpty && !$0.deadLetters.isEmpty
                && !$0.routed(request.requestID).isEmpty
        }
        #expect(seen.routed(request.requestID).count == 1)
        #expect(seen.deadLetters.map(\.reason.code) == [.conflictingDuplicate])
        #expect(seen.deadLetters.first?.reason.path == "request_id")
        try await harness.stop()
        #expect(try harness.count("requests") == 1)
    }

    @Test("an unroutable request is kept, reported, and routed once the table covers its bank")
    func unroutableThenRetried() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let request = freezeRequest(caseID: "CASE-U1", iban: kzIBAN(bank: outsiderCode, account: 5))
        try await harness.publishRequest(request)
        let first = try await harness.watcher.waitFor("unroutable") {
            !$0.statuses(.unroutable, for: request.requestID).isEmpty && !$0.escalations(.unroutable).isEmpty
        }
        #expect(first.statuses(.unroutable, for: request.requestID).first?.detail.contains("KZ\(outsiderCode)") == true)
        #expect(first.escalations(.unroutable).first?.bankID == nil)
        #expect(try daemon.retryUnroutable().isEmpty, "nothing to route while the table does not know the bank")

        // The operator adds the bank (SIGHUP reloads the table), then retries.
        try harness.cluster.createTopic("freeze.bank.delta.requests", partitions: 1)
        try daemon.reload(
            policy: testPolicy(banks: [bank("alpha", code: alphaCode), bank("delta", code: outsiderCode)]))
        #expect(try daemon.retryUnroutable() == [request.requestID])
        let after = try await harness.watcher.waitFor("routed to delta and escalation closed") {
            !$0.routed(request.requestID).isEmpty && !$0.resolutions.isEmpty
        }
        #expect(after.routed(request.requestID).first?.bankID.rawValue == "delta")
        #expect(after.resolutions.first?.resolution == .closed)
        #expect(try daemon.retryUnroutable().isEmpty, "a second retry finds nothing left")
    }

    @Test(
        "a cancel stops the clocks, reaches the bank and police; cancelling it again is ignored; cancelling an unknown request is refused"
    )
    func cancellation() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-X1", iban: kzIBAN(bank: betaCode, account: 8))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        try await harness.publish(record(cancel(request.requestID), topic: "freeze.requests"))
        // The same cancel again, then (same key, so read after it) the request with other content:
        // its conflict shows that the second cancel was read too.
        try await harness.publish(record(cancel(request.requestID), topic: "freeze.requests"))
        var changed = request
        changed.legalBasis += " (amended)"
        try await harness.publishRequest(changed)
        let unknown = UUID()
        try await harness.publish(record(cancel(unknown, caseID: "CASE-X2"), topic: "freeze.requests"))
        let seen = try await harness.watcher.waitFor(
            "cancelled, routed cancel, refused unknown, conflict after the repeat"
        ) { seen in
            !seen.statuses(.cancelled, for: request.requestID).isEmpty
                && !seen.statuses(.cancelRefused, for: unknown).isEmpty
                && !seen.statuses(.duplicateConflict, for: request.requestID).isEmpty
                && seen.deadLetters.count == 2
                && seen.contains {
                    if case .routedCancel(let c) = $0.event { c.requestID == request.requestID } else { false }
                }
        }
        let routedCancels = seen.filter { if case .routedCancel = $0.event { true } else { false } }
        #expect(routedCancels.count == 1, "the repeated cancel is not sent to the bank again")
        #expect(routedCancels.first?.topic == "freeze.bank.beta.requests")
        #expect(seen.statuses(.cancelled, for: request.requestID).count == 1, "the repeated cancel is not answered")
        #expect(seen.statuses(.cancelRefused, for: request.requestID).isEmpty)
        #expect(Set(seen.deadLetters.map(\.reason.code)) == [.unknownRequest, .conflictingDuplicate])
        // The clocks are stopped: the deadlines pass without escalation.
        harness.clock.advance(by: .seconds(3600))
        try await harness.stop()
        #expect(try harness.openDeadlines(of: request.requestID).isEmpty)
        #expect(harness.watcher.all.escalations(for: request.requestID).isEmpty)
        #expect(try harness.requestState(request.requestID) == .cancelled)
    }

    @Test("a hold that lapses soon warns police and operators; the bank's extension supersedes the warning")
    func holdExpiry() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let request = freezeRequest(caseID: "CASE-H1", iban: kzIBAN(bank: gammaCode, account: 4))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        let holdEnd = t0.adding(.seconds(48 * 3600))
        try await harness.publishAnswer(
            answer(request.requestID, .frozen, frozen: "250000.00", holdUntil: holdEnd), from: "gamma")
        try await harness.watcher.waitFor("frozen") { !$0.statuses(.frozen, for: request.requestID).isEmpty }

        // 12 hours before the hold ends (the default warning), not before.
        harness.clock.set(holdEnd.subtracting(.seconds(12 * 3600)))
        let warned = try await harness.watcher.waitFor("hold expiring, escalation and status") {
            !$0.escalations(.holdExpiring, for: request.requestID).isEmpty
                && !$0.statuses(.holdExpiring, for: request.requestID).isEmpty
        }
        #expect(warned.statuses(.holdExpiring, for: request.requestID).first?.holdUntil == holdEnd)
        #expect(warned.escalations(.holdExpiring, for: request.requestID).first?.deadline == holdEnd)

        let extended = holdEnd.adding(.seconds(72 * 3600))
        try await harness.publishAnswer(
            answer(request.requestID, .frozen, frozen: "250000.00", holdUntil: extended), from: "gamma")
        let seen = try await harness.watcher.waitFor("superseded") {
            $0.resolutions.contains { $0.requestID == request.requestID }
        }
        #expect(seen.resolutions.first { $0.requestID == request.requestID }?.resolution == .superseded)
        try await harness.stop()
        #expect(try harness.openDeadlines(of: request.requestID) == ["hold_expiry/1"])
    }

    @Test("a graceful stop drains the outbox and commits: a restart re-reads nothing")
    func gracefulStop() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let requests = (0..<5).map {
            freezeRequest(caseID: "CASE-G\($0)", iban: kzIBAN(bank: alphaCode, account: 900 + $0))
        }
        for request in requests { try await harness.publishRequest(request) }
        try await harness.watcher.waitFor("all routed") { seen in
            requests.allSatisfy { !seen.routed($0.requestID).isEmpty }
        }
        try await harness.stop()
        #expect(try harness.count("outbox", where: "sent_at IS NULL") == 0)

        let positionsBefore = try harness.count("consumer_positions")
        let observer = RelayObserver()
        let replayed = AppliedRecorder()
        observer.add(applied: { replayed.add($0) })
        let daemon = try RelayDaemon(
            settings: harness.settings, clock: harness.clock, logger: quietLogger, observer: observer)
        let task = Task { try await daemon.run() }
        // One more record proves the restarted relay is consuming; nothing before it comes back.
        let marker = freezeRequest(caseID: "CASE-G9", iban: kzIBAN(bank: alphaCode, account: 999))
        try await harness.publishRequest(marker)
        try await harness.watcher.waitFor("marker routed") { !$0.routed(marker.requestID).isEmpty }
        daemon.stop()
        try await task.value
        #expect(replayed.outcomes.map(\.outcome) == [.routed], "only the new record was read after the restart")
        #expect(try harness.count("consumer_positions") >= positionsBefore)
    }
}

final class AppliedRecorder: Sendable {
    private let store = Mutex<[IntakeOutcome]>([])
    func add(_ outcomes: [IntakeOutcome]) { store.withLock { $0 += outcomes } }
    var outcomes: [IntakeOutcome] { store.withLock { $0 } }
}
