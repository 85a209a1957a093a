import Contracts
import Foundation
import Relay
import RelayKafka
import TestSupport
import Testing

@testable import RelayRuntime

/// The standing hostile-input harness: a seeded stream of malformed records on the requests topic
/// and on banks' responses topics, interleaved with good requests and good answers. The relay must
/// never stop, dead-letter every bad record exactly once with a reason, route every good request
/// exactly once and apply every good answer.
///
/// `FREEZE_RELAY_HOSTILE_RECORDS` sets how many records are sent (default 300),
/// `FREEZE_RELAY_HOSTILE_SEED` the seed (printed, so a failure can be repeated).
@Suite("Hostile stream: malformed records among good ones", .serialized)
struct HostileStreamTests {
    /// Records larger than a dead letter carries: few, since the mock broker keeps ~5 MiB per partition.
    static let hugeRecords = 2

    @Test("the relay never stops, dead-letters every bad record once, and routes and applies every good one")
    func hostileStream() async throws {
        let seed = SeededRandom.seed(from: "FREEZE_RELAY_HOSTILE_SEED", default: 0x4057_11E5)
        let total = max(20, Int(ProcessInfo.processInfo.environment["FREEZE_RELAY_HOSTILE_RECORDS"] ?? "") ?? 300)
        print(
            "hostile stream: seed 0x\(String(seed, radix: 16)), \(total) records (FREEZE_RELAY_HOSTILE_SEED / FREEZE_RELAY_HOSTILE_RECORDS to change)"
        )
        let started = ContinuousClock.now
        let harness = try Harness(partitions: Int32(max(3, total / 400)))
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let banks = ["alpha": alphaCode, "beta": betaCode, "gamma": gammaCode].map { id, code in
            HostileRecordGenerator.Bank(
                id: id, code: code, responsesTopic: harness.policy.topics.bankResponses(try! BankID(id)))
        }.sorted { $0.id < $1.id }
        var generator = HostileRecordGenerator(seed: seed, requestsTopic: harness.policy.topics.requests, banks: banks)

        // Phase 1: good requests among malformed records. A fifth of the stream is good requests,
        // a fifth good answers to them (phase 2, once routed: an answer may not overtake its request).
        let goodCount = total / 5
        let badCount = total - 2 * goodCount
        var requests: [(record: HostileRecord, bank: HostileRecordGenerator.Bank)] = []
        var firstPhase: [HostileRecord] = []
        for _ in 0..<goodCount { requests.append(generator.goodRequest()) }
        for index in 0..<badCount / 2 { firstPhase.append(generator.badRecord(huge: index < Self.hugeRecords)) }
        firstPhase += requests.map(\.record)
        firstPhase.shuffle(using: &generator.random)
        var sent = try await send(firstPhase, with: harness)
        let requestIDs = requests.compactMap { if case .routed(let id) = $0.record.expectation { id } else { nil } }
        try await harness.watcher.waitFor("every good request routed", timeout: .seconds(120)) { seen in
            requestIDs.allSatisfy { !seen.routed($0).isEmpty }
        }
        #expect(daemon.failure == nil)

        // Phase 2: the banks' answers among more malformed records.
        var secondPhase = zip(requestIDs, requests).map { id, request in
            generator.goodAnswer(to: id, from: request.bank)
        }
        for _ in badCount / 2..<badCount { secondPhase.append(generator.badRecord(huge: false)) }
        secondPhase.shuffle(using: &generator.random)
        sent += try await send(secondPhase, with: harness)

        let bad = sent.filter { $0.record.isBad }
        let seen = try await harness.watcher.waitFor(
            "every good answer applied and every bad record dead-lettered", timeout: .seconds(120)
        ) { seen in
            seen.deadLetters.count >= bad.count
                && requestIDs.allSatisfy { !seen.statuses(.acknowledged, for: $0).isEmpty }
        }
        #expect(daemon.failure == nil, "the relay stopped: \(daemon.failure.map { "\($0)" } ?? "")")

        let letters = Dictionary(grouping: seen.deadLetters) {
            Position($0.source.topic, $0.source.partition, $0.source.offset)
        }
        for (record, report) in sent {
            let found = letters[Position(report.topic, Int(report.partition), report.offset)] ?? []
            switch record.expectation {
            case .deadLetter(let codes, let valueCut):
                #expect(
                    found.count == 1,
                    "\(record.kind) at \(report.topic)/\(report.partition)@\(report.offset): \(found.count) dead letters"
                )
                if let letter = found.first {
                    #expect(
                        codes.contains(letter.reason.code),
                        "\(record.kind): \(letter.reason.code.rawValue), expected \(codes.map(\.rawValue).sorted())")
                    #expect(letter.valueTruncated == valueCut, "\(record.kind)")
                }
            case .routed(let id):
                #expect(found.isEmpty, "good request \(id) dead-lettered: \(found.map(\.reason.message))")
                #expect(seen.routed(id).count == 1, "request \(id) routed \(seen.routed(id).count) times")
            case .acknowledged(let id):
                #expect(found.isEmpty, "good answer for \(id) dead-lettered: \(found.map(\.reason.message))")
                #expect(seen.statuses(.acknowledged, for: id).count == 1)
            }
        }
        let kinds = Dictionary(grouping: bad, by: \.record.kind).mapValues(\.count).sorted { $0.key < $1.key }
        print(
            """
            hostile stream: seed 0x\(String(seed, radix: 16)): \(sent.count) records sent, \(bad.count) bad, \(sent.count - bad.count) good \
            (\(goodCount) requests, \(goodCount) answers); \(seen.deadLetters.count) dead letters, \(requestIDs.filter { seen.routed($0).count == 1 }.count) requests \
            routed once, relay running: \(daemon.failure == nil); \(ContinuousClock.now - started)
            bad records by kind: \(kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            """)
    }

    private struct Position: Hashable {
        var topic: String, partition: Int, offset: Int64
        init(_ topic: String, _ partition: Int, _ offset: Int64) {
            (self.topic, self.partition, self.offset) = (topic, partition, offset)
        }
    }

    /// Sends records concurrently, 50 at a time; returns where each one was stored.
    private func send(_ records: [HostileRecord], with harness: Harness) async throws -> [(
        record: HostileRecord, report: DeliveryReport
    )] {
        var stored: [(record: HostileRecord, report: DeliveryReport)] = []
        for start in stride(from: 0, to: records.count, by: 50) {
            let chunk = Array(records[start..<min(start + 50, records.count)])
            stored += try await withThrowingTaskGroup(of: (Int, DeliveryReport).self) { group in
                for (index, record) in chunk.enumerated() {
                    group.addTask { (index, try await harness.police.send(record.message)) }
                }
                var reports: [(Int, DeliveryReport)] = []
                for try await report in group { reports.append(report) }
                return reports.sorted { $0.0 < $1.0 }.map { (chunk[$0.0], $0.1) }
            }
        }
        return stored
    }
}
