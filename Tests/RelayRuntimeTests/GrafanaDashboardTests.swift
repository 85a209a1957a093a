import Contracts
import Foundation
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// deploy/grafana/freeze-relay-dashboard.json: well-formed, and querying only metrics and labels
/// a running relay really exports.
@Suite("Grafana dashboard", .serialized)
struct GrafanaDashboardTests {
    /// Variables Grafana itself defines.
    static let builtInVariables: Set<String> = ["__rate_interval", "__interval", "__range"]

    @Test(
        "the dashboard is well-formed: uid, title, unique panel ids, non-overlapping grid positions, an expr in every target"
    )
    func wellFormed() throws {
        let dashboard = try GrafanaDashboard.shipped()
        #expect(dashboard.uid == "freeze-relay")
        #expect(!dashboard.title.isEmpty)
        #expect(dashboard.schemaVersion >= 36)

        let panels = dashboard.allPanels
        #expect(!panels.isEmpty)
        let ids = panels.map(\.id)
        #expect(
            Set(ids).count == ids.count,
            "duplicate panel ids: \(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
        for panel in panels {
            let grid = panel.gridPos
            #expect(
                grid.w > 0 && grid.h > 0 && grid.x >= 0 && grid.y >= 0 && grid.x + grid.w <= 24,
                "panel \(panel.id) gridPos \(grid)")
            for other in panels where other.id > panel.id {
                #expect(!grid.overlaps(other.gridPos), "panels \(panel.id) and \(other.id) overlap")
            }
            guard panel.type != "row" else { continue }
            let targets = panel.targets ?? []
            #expect(!targets.isEmpty, "panel \(panel.id) \"\(panel.title)\" has no query")
            for target in targets {
                #expect(
                    !target.expr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "panel \(panel.id) target \(target.refId): empty expr")
            }
        }
    }

    @Test("every query goes to the data source chosen in the ${datasource} variable, and names only defined variables")
    func variables() throws {
        let dashboard = try GrafanaDashboard.shipped()
        let variables = dashboard.templating.list
        let source = try #require(variables.first { $0.name == "datasource" })
        #expect(source.type == "datasource" && source.query?.text == "prometheus")
        let chosen = GrafanaDashboard.DataSourceRef(type: "prometheus", uid: "${datasource}")
        for panel in dashboard.allPanels where panel.type != "row" {
            #expect(panel.datasource == chosen, "panel \(panel.id)")
            for target in panel.targets ?? [] {
                #expect(target.datasource == chosen, "panel \(panel.id) target \(target.refId)")
            }
        }
        let defined = Set(variables.map(\.name)).union(Self.builtInVariables)
        for (place, expr) in dashboard.queries {
            let used = Set(expr.matches(of: #/\$\{?([A-Za-z_][A-Za-z0-9_]*)/#).map { String($0.output.1) })
            #expect(
                used.isSubset(of: defined), "\(place) uses undefined variables \(used.subtracting(defined).sorted())")
        }
    }

    @Test("metric names and labels are read from PromQL as the dashboard writes it; quoted values are not names")
    func readingPromQL() {
        let expr =
            #"histogram_quantile(0.95, sum by (le, bank) (rate(freeze_relay_x_seconds_bucket{job=~"$job", bank=~"freeze_relay_y|a=b"}[5m]))) / on() freeze_relay_z"#
        #expect(PromQLNames.metrics(in: expr) == ["freeze_relay_x_seconds_bucket", "freeze_relay_z"])
        #expect(PromQLNames.groupingLabels(in: expr) == ["le", "bank"])
        #expect(PromQLNames.selectorLabels(in: expr) == ["freeze_relay_x_seconds_bucket": ["job", "bank"]])
        #expect(
            PromQLNames.groupingLabels(in: #"label_values(freeze_relay_ready{job=~"$job"}, instance)"#) == ["instance"])
    }

    @Test(
        "every metric the dashboard queries, and every label it groups or filters by, is in /metrics of a relay that has seen traffic"
    )
    func namesExistInMetrics() async throws {
        let dashboard = try GrafanaDashboard.shipped()
        let used = dashboard.queries.reduce(into: Set<String>()) { $0.formUnion(PromQLNames.metrics(in: $1.expr)) }
        #expect(used.count >= 20, "the dashboard names \(used.count) metrics: is the name pattern still right?")

        let harness = try Harness(policy: try SignedOrderTests.policy(.warn))
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let server = try daemon.serveHTTP(host: "127.0.0.1", port: 0)
        defer { server.close() }
        try await Self.driveEveryFamily(harness, daemon)
        let exposition = try await Self.scrape(server.port, untilItHas: used)

        for name in used.sorted() {
            if let problem = exposition.problem(with: name) { Issue.record("the dashboard queries \(problem)") }
        }
        for (place, expr) in dashboard.queries {
            let grouped = PromQLNames.groupingLabels(in: expr).subtracting(PromQLNames.scrapeLabels)
            for name in PromQLNames.metrics(in: expr) {
                guard let exported = exposition.labels[name] else { continue }
                let missing = grouped.subtracting(exported)
                #expect(
                    missing.isEmpty,
                    "\(place) groups \(name) by \(missing.sorted()), which it does not have (it has \(exported.sorted()))"
                )
            }
            for (name, filtered) in PromQLNames.selectorLabels(in: expr) {
                guard let exported = exposition.labels[name] else { continue }
                let missing = filtered.subtracting(PromQLNames.scrapeLabels).subtracting(exported)
                #expect(
                    missing.isEmpty,
                    "\(place) filters \(name) on \(missing.sorted()), which it does not have (it has \(exported.sorted()))"
                )
            }
        }
    }

    /// Traffic after which every family the dashboard shows has series: an internal error and a
    /// dead letter; two unsigned orders (unverified under `warn`); one acknowledged, then frozen
    /// (latencies, SLA); the other left past its acknowledgement deadline (an escalation that
    /// stays open, a fired deadline).
    static func driveEveryFamily(_ harness: Harness, _ daemon: RelayDaemon) async throws {
        _ = try daemon.takeDeadLetterIDOfFirstRequestRecord()
        for value in ["nope", "still nope"] {
            try await harness.publish(
                OutgoingMessage(topic: "freeze.requests", partition: 0, key: Array("x".utf8), value: Array(value.utf8)))
        }
        try await harness.watcher.waitFor("the internal error's and the invalid record's dead letters") {
            $0.deadLetters.count == 2
        }

        let answered = freezeRequest(caseID: "CASE-G1", iban: kzIBAN(bank: alphaCode, account: 91))
        let ignored = freezeRequest(caseID: "CASE-G2", iban: kzIBAN(bank: betaCode, account: 92))
        try await harness.publishRequest(answered)
        try await harness.publishRequest(ignored)
        try await harness.watcher.waitFor("both routed") {
            !$0.routed(answered.requestID).isEmpty && !$0.routed(ignored.requestID).isEmpty
        }
        harness.clock.advance(by: .seconds(60))
        try await harness.publishAnswer(answer(answered.requestID, .acknowledged), from: "alpha")
        try await harness.watcher.waitFor("acknowledged") {
            !$0.statuses(.acknowledged, for: answered.requestID).isEmpty
        }
        harness.clock.advance(by: .seconds(240))
        try await harness.watcher.waitFor("the ignored request escalated") {
            !$0.escalations(.ackOverdue, for: ignored.requestID).isEmpty
        }
        try await harness.publishAnswer(answer(answered.requestID, .frozen, frozen: "250000.00"), from: "alpha")
        try await harness.watcher.waitFor("frozen") { !$0.statuses(.frozen, for: answered.requestID).isEmpty }
        // A scrape counts latencies of changes before its instant.
        harness.clock.advance(by: .milliseconds(1))
    }

    /// Scrapes /metrics until it has series of every name in `names` (counters move when their
    /// batch lands, lag once the background check has read the high watermarks), or until the
    /// timeout; returns the last scrape either way, for the caller to judge.
    static func scrape(_ port: UInt16, untilItHas names: Set<String>, timeout: Duration = .seconds(30)) async throws
        -> Exposition
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (status, body) = try await get(port, "/metrics")
            #expect(status == 200)
            let exposition = try Exposition(body)
            if names.allSatisfy({ exposition.problem(with: $0) == nil }) || ContinuousClock.now >= deadline {
                return exposition
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
