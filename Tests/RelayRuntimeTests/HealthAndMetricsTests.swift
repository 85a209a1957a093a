import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import Ledger
@testable import RelayRuntime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One sample of a Prometheus text exposition.
struct Sample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// Parses the Prometheus text format (what a scraper would do), failing on malformed lines.
func parsePrometheus(_ text: String) throws -> [Sample] {
    var samples: [Sample] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw ParseError(line: String(line))
        }
        let series = line[..<space]
        var labels: [String: String] = [:]
        var name = String(series)
        if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
            name = String(series[..<open])
            let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
            for pair in body.split(separator: ",") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ParseError(line: String(line)) }
                labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        samples.append(Sample(name: name, labels: labels, value: value))
    }
    return samples
}

struct ParseError: Error { let line: String }

extension [Sample] {
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?
            .value
    }
}

func get(_ port: UInt16, _ path: String) async throws -> (Int, String) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

@Suite("Health and metrics over HTTP", .serialized)
struct HealthAndMetricsTests {
    @Test("/metrics parses, and its values move as requests flow")
    func metricsMove() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        defer { server.close() }

        let request = freezeRequest(caseID: "CASE-M1", iban: kzIBAN(bank: alphaCode, account: 77))
        try await harness.publishRequest(request)
        try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
        try await harness.publish(
            OutgoingMessage(topic: "freeze.requests", key: Array("x".utf8), value: Array("nope".utf8)))
        try await harness.watcher.waitFor("dead letter") { !$0.deadLetters.isEmpty }
        // Deliveries are written down by the publisher's recorder shortly after they land, and
        // records are counted when their batch lands, which may be just after its events went out.
        try await eventually("deliveries recorded") { try daemon.ledger.outboxBacklog().unsent == 0 }
        try await eventually("both records counted") {
            daemon.metricsText().contains(#"freeze_relay_records_consumed_total{topic="freeze.requests"} 2"#)
        }

        let (status, body) = try await get(server.port, "/metrics")
        #expect(status == 200)
        let first = try parsePrometheus(body)
        #expect(first.value("freeze_relay_records_consumed_total", ["topic": "freeze.requests"]) == 2)
        #expect(
            first.value(
                "freeze_relay_records_dead_lettered_total", ["topic": "freeze.requests", "code": "invalid_json"]) == 1)
        #expect(first.value("freeze_relay_requests_open", ["bank": "alpha", "state": "routed"]) == 1)
        #expect(first.value("freeze_relay_deadlines_open") == 2)
        #expect(
            (first.value(
                "freeze_relay_events_published_total",
                ["topic": "freeze.bank.alpha.requests", "type": "routed_request"]) ?? 0) >= 1)
        #expect(first.value("freeze_relay_ready") == 1)
        #expect(first.value("freeze_relay_outbox_backlog") == 0)

        // Past the acknowledgement deadline: an escalation, then the bank freezes.
        harness.clock.advance(by: .seconds(300))
        try await harness.watcher.waitFor("escalation") { !$0.escalations(.ackOverdue).isEmpty }
        harness.clock.advance(by: .seconds(60))
        try await harness.publishAnswer(answer(request.requestID, .frozen, frozen: "250000.00"), from: "alpha")
        try await harness.watcher.waitFor("frozen") { !$0.statuses(.frozen, for: request.requestID).isEmpty }

        // A scrape observes latencies of changes before its instant (the same millisecond goes to
        // the next scrape, so that a change committed just after the read is not skipped).
        harness.clock.advance(by: .milliseconds(1))
        let second = try parsePrometheus(try await get(server.port, "/metrics").1)
        #expect(second.value("freeze_relay_requests_open", ["bank": "alpha", "state": "routed"]) == 0)
        #expect(
            second.value("freeze_relay_escalations_total", ["bank": "alpha", "kind": "ack_overdue", "level": "1"]) == 1)
        #expect(second.value("freeze_relay_deadlines_open") == 0)
        #expect(second.value("freeze_relay_sla_compliance_ratio", ["bank": "alpha"]) == 1)
        #expect(second.value("freeze_relay_time_to_freeze_seconds_count", ["bank": "alpha"]) == 1)
        #expect(second.value("freeze_relay_time_to_freeze_seconds_sum", ["bank": "alpha"]) == 360)
        #expect(second.value("freeze_relay_deadline_lateness_seconds_count") == 1)
        #expect(second.value("freeze_relay_consumer_lag") != nil)
    }

    @Test(
        "a restarted daemon counts answers from its own start: its first scrape does not read the ledger's history into the histograms"
    )
    func latenciesFromStart() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        /// A request to alpha, routed, then frozen `after` later (on the manual clock).
        func routeAndFreeze(_ caseID: String, account: Int, after: Duration) async throws {
            let request = freezeRequest(caseID: caseID, iban: kzIBAN(bank: alphaCode, account: account))
            try await harness.publishRequest(request)
            try await harness.watcher.waitFor("routed") { !$0.routed(request.requestID).isEmpty }
            harness.clock.advance(by: after)
            try await harness.publishAnswer(answer(request.requestID, .frozen, frozen: "250000.00"), from: "alpha")
            try await harness.watcher.waitFor("frozen") { !$0.statuses(.frozen, for: request.requestID).isEmpty }
        }
        try harness.start()
        try await routeAndFreeze("CASE-M2", account: 78, after: .seconds(30))
        try await harness.stop()

        harness.clock.advance(by: .seconds(60))
        let daemon = try harness.start()
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        defer { server.close() }
        let first = try parsePrometheus(try await get(server.port, "/metrics").1)
        #expect((first.value("freeze_relay_time_to_freeze_seconds_count", ["bank": "alpha"]) ?? 0) == 0)

        try await routeAndFreeze("CASE-M3", account: 79, after: .seconds(90))
        harness.clock.advance(by: .milliseconds(1))
        let second = try parsePrometheus(try await get(server.port, "/metrics").1)
        #expect(second.value("freeze_relay_time_to_freeze_seconds_count", ["bank": "alpha"]) == 1)
        #expect(second.value("freeze_relay_time_to_freeze_seconds_sum", ["bank": "alpha"]) == 90)
    }

    @Test("/readyz turns unready when the broker is down, names why, and recovers")
    func readiness() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start { $0.healthCheckInterval = .milliseconds(100) }
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        defer { server.close() }
        #expect(try await get(server.port, "/healthz").0 == 200)
        // Ready once the background check has found broker and ledger working.
        var ready = false
        for _ in 0..<50 where !ready {
            ready = try await get(server.port, "/readyz") == (200, "ready\n")
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)

        try harness.cluster.setBrokerDown(1)
        var (downStatus, downBody) = (200, "")
        for _ in 0..<50 where downStatus == 200 {
            (downStatus, downBody) = try await get(server.port, "/readyz")
            if downStatus == 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(downStatus == 503)
        #expect(downBody.contains("broker unreachable"))
        #expect(try await get(server.port, "/healthz").0 == 200, "alive while unready")

        try harness.cluster.setBrokerUp(1)
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try await get(server.port, "/readyz").0 == 200
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered)
        #expect(try await get(server.port, "/nope").0 == 404)
    }

    @Test("/readyz and /metrics report the background check's findings: they never write the ledger's heartbeat")
    func probesDoNotWrite() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start { $0.healthCheckInterval = .seconds(3600) }
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        defer { server.close() }
        try await eventually("the first background check finished") { daemon.lastHealth().checked }
        let heartbeat = { () throws -> Int64? in
            try harness.readLedger { reader in
                try reader.read { db in
                    try db.scalar("SELECT value FROM ledger_meta WHERE key = 'heartbeat'", as: Int64.self)
                }
            }
        }
        let written = try heartbeat()
        #expect(written != nil)
        // The heartbeat holds the relay clock's time: had a probe or a scrape written it, it would move.
        harness.clock.advance(by: .seconds(30))
        for path in ["/readyz", "/metrics", "/readyz", "/metrics"] {
            #expect(try await get(server.port, path).0 == 200)
        }
        #expect(try heartbeat() == written)
        // The explicit check (`health()`) does write it.
        #expect(daemon.health().isReady)
        #expect(try heartbeat() != written)
    }
}

@Suite("Readiness before the first health check")
struct FirstHealthCheckTests {
    @Test func beforeTheFirstCheckTheOnlyReasonSaysSoNotThatBrokerOrLedgerFailed() {
        let report = HealthReport(
            checked: false, brokerReachable: false, ledgerWritable: false, outboxBacklog: 0, maxOutboxBacklog: 10)
        #expect(!report.isReady)
        #expect(report.reasons == ["starting: the first check of broker and ledger has not finished"])
        var checked = report
        checked.checked = true
        #expect(checked.reasons == ["broker unreachable", "ledger not writable"])
    }
}
