import Contracts
import Foundation

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// The figures of one crash-harness run and every broken promise found, judged from what the
/// relay published and what its ledger holds. Pure: no I/O.
struct CrashVerdict {
    /// Expected effects that never happened (requests, routings, cancels, answers, dead letters).
    private(set) var lost = 0
    /// Effects that happened twice or differently (two ids for one routing, different bytes under one id, ...).
    private(set) var doubleEffects = 0
    /// Records published more than once under the same event id, byte-identical.
    private(set) var reEmissions = 0
    private(set) var routed = 0
    private(set) var deadLetters = 0
    /// `PRAGMA integrity_check` said ok.
    private(set) var integrityOK = true
    private(set) var problems: [String] = []

    init(
        scenario: CrashScenario, deadLetterSources: Set<DeadLetter.Source>, published: [PublishedRecord],
        ledger: LedgerSnapshot
    ) {
        checkCopies(published)
        let events = published.compactMap(\.event)
        let routedBanks = scenario.expectedRequests.compactMapValues(\.bank)
        checkOnce(
            "routed_request", expected: Set(routedBanks.keys),
            seen: events.compactMap {
                if case .routedRequest(let r) = $0 { (r.requestID, r.id) } else { nil }
            })
        for record in published {
            guard case .routedRequest(let r)? = record.event, let bank = routedBanks[r.requestID] else { continue }
            if r.bankID != bank || record.topic != "freeze.bank.\(bank).requests" {
                fail(double: true, "request \(r.requestID) routed to \(r.bankID) on \(record.topic), expected \(bank)")
            }
        }
        routed = Set(events.compactMap { if case .routedRequest(let r) = $0 { r.requestID } else { nil } }).count
        checkOnce(
            "routed_cancel", expected: scenario.cancelled,
            seen: events.compactMap {
                if case .routedCancel(let c) = $0 { (c.requestID, c.id) } else { nil }
            })
        let letters = events.compactMap { if case .deadLetter(let d) = $0 { d } else { nil } }
        deadLetters = Set(letters.map(\.id)).count
        checkOnce("dead letter", expected: deadLetterSources, seen: letters.map { ($0.source, $0.id) })
        checkStatuses(events, routed: Set(routedBanks.keys))
        checkLedger(ledger, scenario: scenario, published: published)
    }

    /// Every record is a valid event, and every copy of an event id is the same record.
    private mutating func checkCopies(_ published: [PublishedRecord]) {
        var first: [UUID: PublishedRecord] = [:]
        for record in published {
            guard let event = record.event else {
                fail(double: true, "\(record.topic)[\(record.partition)]@\(record.offset) is not a valid event")
                continue
            }
            guard let earlier = first[event.id] else {
                first[event.id] = record
                continue
            }
            if earlier.value == record.value && earlier.topic == record.topic && earlier.key == record.key {
                reEmissions += 1
            } else {
                fail(
                    double: true,
                    "event \(event.id) (\(event.type.rawValue)) published twice with different bytes, topic or key")
            }
        }
    }

    /// Each expected subject has exactly one event id of this kind; nothing else has one.
    private mutating func checkOnce<Subject: Hashable>(_ kind: String, expected: Set<Subject>, seen: [(Subject, UUID)])
    {
        let ids = Dictionary(grouping: seen, by: \.0).mapValues { Set($0.map(\.1)) }
        for subject in expected where ids[subject] == nil { fail(lost: true, "no \(kind) for \(subject)") }
        for (subject, set) in ids {
            if set.count > 1 { fail(double: true, "\(set.count) different \(kind) ids for \(subject)") }
            if !expected.contains(subject) { fail(double: true, "unexpected \(kind) for \(subject)") }
        }
    }

    /// One status of each kind per request (ids differ only if a decision was taken twice), and a
    /// `routed` status for each routed request.
    private mutating func checkStatuses(_ events: [Event], routed: Set<UUID>) {
        let once: Set<StatusKind> = [.routed, .acknowledged, .frozen, .fundsMoved, .cancelled, .unroutable]
        let statuses = events.compactMap {
            if case .requestStatus(let s) = $0, once.contains(s.status) { s } else { nil }
        }
        for (key, group) in Dictionary(grouping: statuses, by: { "\($0.requestID) \($0.status.rawValue)" })
        where Set(group.map(\.id)).count > 1 {
            fail(double: true, "\(Set(group.map(\.id)).count) different status ids for \(key)")
        }
        let routedStatus = Set(statuses.filter { $0.status == .routed }.map(\.requestID))
        for request in routed.subtracting(routedStatus) { fail(lost: true, "no routed status for \(request)") }
    }

    private mutating func checkLedger(_ ledger: LedgerSnapshot, scenario: CrashScenario, published: [PublishedRecord]) {
        integrityOK = ledger.integrityProblems.isEmpty
        if !integrityOK { fail("integrity_check: \(ledger.integrityProblems.prefix(5))") }
        for (id, expected) in scenario.expectedRequests {
            guard let stored = ledger.requests[id] else {
                fail(lost: true, "request \(id) is not in the ledger")
                continue
            }
            if stored != expected {
                fail(
                    "request \(id) is \(stored.state) at \(stored.bank?.rawValue ?? "-"), expected \(expected.state) at \(expected.bank?.rawValue ?? "-")"
                )
            }
            let routings = ledger.routingAudits[id] ?? 0
            if routings != (expected.bank == nil ? 0 : 1) {
                fail(double: routings > 1, "request \(id) has \(routings) routing entries in the audit trail")
            }
        }
        for id in Set(ledger.requests.keys).subtracting(scenario.expectedRequests.keys) {
            fail(double: true, "unexpected request \(id) in the ledger")
        }
        let publishedBytes = Dictionary(published.compactMap { record in record.event.map { ($0.id, record.value) } }) {
            first, _ in first
        }
        for (id, expected) in scenario.expectedRequests where expected.bank != nil {
            let rows = ledger.outboxRoutings[id] ?? []
            // Acknowledged events leave the outbox; one that stays (unsent) must be the only one.
            if rows.count > 1 {
                fail(double: true, "request \(id) has \(rows.count) routed_request events in the outbox")
            }
            for row in rows where publishedBytes[row.eventID].map({ $0 != row.payload }) ?? false {
                fail(double: true, "routed_request \(row.eventID) on the topic differs from the outbox's bytes")
            }
        }
        if ledger.unsent != 0 { fail(lost: true, "\(ledger.unsent) outbox events never published") }
        for answer in scenario.expectedAnswers.subtracting(ledger.responses) {
            fail(lost: true, "answer \(answer) is not in the ledger")
        }
        for answer in ledger.responses.subtracting(scenario.expectedAnswers) {
            fail(double: true, "unexpected answer \(answer) in the ledger")
        }
        if ledger.edges != scenario.expectedEdges {
            fail(
                lost: ledger.edges < scenario.expectedEdges,
                "\(ledger.edges) chain edges, expected \(scenario.expectedEdges)")
        }
    }

    private mutating func fail(lost isLoss: Bool = false, double isDouble: Bool = false, _ problem: String) {
        if isLoss { lost += 1 }
        if isDouble { doubleEffects += 1 }
        problems.append(problem)
    }
}
