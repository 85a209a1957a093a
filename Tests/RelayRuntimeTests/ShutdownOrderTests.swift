import Foundation
import RelayTestSupport
import Testing

@testable import RelayRuntime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The daemon's services stop in order: intake, deadlines, the outbox's drain, the health check,
/// and HTTP last, so that probes and scrapes keep answering while the outbox drains.
@Suite("Shutdown order", .serialized)
struct ShutdownOrderTests {
    @Test("HTTP keeps answering while the outbox drains, and closes once the relay has stopped")
    func httpOutlivesTheDrain() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        var settings = harness.settings
        settings.shutdownDrainTimeout = .seconds(3)
        let daemon = try RelayDaemon(settings: settings, clock: harness.clock, logger: quietLogger)
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        let running = Task { try await daemon.run(serving: server) }

        // An escalation the broker cannot take: the drain at shutdown lasts its full timeout.
        try await queueUndeliverableEscalation(harness, account: 31)

        let stopAsked = ContinuousClock.now
        daemon.stop()
        var answeredWhileStopping = 0
        while true {
            let status = try? await get(server.port, "/healthz").0
            if status == 200 { answeredWhileStopping += 1 } else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let closedAfter = ContinuousClock.now - stopAsked
        try await running.value
        // The listener closed only after the 3 s drain: HTTP stopped last.
        #expect(
            closedAfter >= .seconds(3), "HTTP closed \(closedAfter) after the stop, before the drain's 3 s were over")
        #expect(answeredWhileStopping >= 1)
        #expect((try? await get(server.port, "/healthz")) == nil, "the listener is closed once run has returned")
        #expect(
            try harness.count("outbox", where: "event_type = 'escalation' AND sent_at IS NULL") == 1,
            "the undelivered escalation stays queued")
    }

    @Test("cancelling the task running the relay stops it at once: no drain")
    func cancellationSkipsTheDrain() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        var settings = harness.settings
        settings.shutdownDrainTimeout = .seconds(30)
        let daemon = try RelayDaemon(settings: settings, clock: harness.clock, logger: quietLogger)
        let running = Task { try await daemon.run() }
        try await queueUndeliverableEscalation(harness, account: 32)
        let cancelled = ContinuousClock.now
        running.cancel()
        try await running.value
        // A graceful stop would have tried to drain for 30 s.
        #expect(ContinuousClock.now - cancelled < .seconds(15))
        #expect(try harness.count("outbox", where: "event_type = 'escalation' AND sent_at IS NULL") == 1)
    }

    /// Routes a request, takes the broker down, and lets its acknowledgement deadline pass: one
    /// escalation waits in the outbox that nothing can publish.
    private func queueUndeliverableEscalation(_ harness: Harness, account: Int) async throws {
        let request = freezeRequest(caseID: "CASE-SO\(account)", iban: kzIBAN(bank: alphaCode, account: account))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        try harness.cluster.setBrokerDown(1)
        harness.clock.advance(by: .seconds(300))
        try await eventually("escalation queued in the outbox") {
            try harness.count("outbox", where: "event_type = 'escalation' AND sent_at IS NULL") == 1
        }
    }
}
