import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import Ledger
@testable import RelayRuntime

@Suite("Restoring the ledger and events the broker refuses", .serialized)
struct RestoreAndParkingTests {
    @Test("a ledger restored from an older backup re-reads what it is missing from Kafka")
    func restoreFromBackup() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        let daemon = try harness.start()
        let before = freezeRequest(caseID: "CASE-R1", iban: kzIBAN(bank: alphaCode, account: 61))
        try await harness.publishRequest(before)
        try await harness.watcher.waitFor("first routed") { !$0.routed(before.requestID).isEmpty }
        let backup = harness.directory.appendingPathComponent("backup.sqlite").path
        try daemon.ledger.backup(to: backup)

        let after = freezeRequest(caseID: "CASE-R2", iban: kzIBAN(bank: betaCode, account: 62))
        try await harness.publishRequest(after)
        try await harness.watcher.waitFor("second routed") { !$0.routed(after.requestID).isEmpty }
        try await harness.stop()

        // Restore: stop, replace the ledger (and drop its WAL files), start.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: harness.ledgerPath + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: harness.ledgerPath)
        #expect(try harness.count("requests") == 1)
        try harness.start()
        try await eventually("the missing request applied again") { try harness.count("requests") == 2 }
        try await harness.stop()
        // Re-applied, it was routed with the same ids as the first time.
        let routed = harness.watcher.all.routed(after.requestID)
        #expect(Set(routed.map(\.id)).count == 1)
    }

    @Test("an event the broker can never accept is parked, later events still go out, and a higher limit publishes it")
    func parking() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        var small = harness.settings
        small.kafka["message.max.bytes"] = "4000"
        let daemon = try RelayDaemon(settings: small, clock: harness.clock, logger: quietLogger)
        let task = Task { try await daemon.run() }
        // 3 KB of garbage: its dead letter (base64 and all) is over the producer's 4000-byte limit.
        try await harness.publish(
            OutgoingMessage(topic: "freeze.requests", key: Array("x".utf8), value: Array(repeating: 0x41, count: 3000)))
        let good = freezeRequest(caseID: "CASE-P1", iban: kzIBAN(bank: alphaCode, account: 63))
        try await harness.publishRequest(good)
        try await harness.watcher.waitFor("the later request's events went out") { !$0.routed(good.requestID).isEmpty }
        // The publisher's recorder writes the refusal down shortly after the broker's answer.
        try await eventually("the refused event parked") { try daemon.ledger.parkedCount() == 1 }
        #expect(daemon.metricsText().contains("freeze_relay_outbox_parked 1"))
        daemon.stop()
        try await task.value

        // Restarted with the default limit, the parked dead letter is offered again and published.
        try harness.start()
        let seen = try await harness.watcher.waitFor("the parked dead letter") { !$0.deadLetters.isEmpty }
        #expect(seen.deadLetters.first?.value?.count == 3000)
        try await harness.stop()
        #expect(try harness.count("outbox", where: "sent_at IS NULL") == 0)
    }

    @Test("a huge refused value is cut in its dead letter, and the cut is stated")
    func truncatedDeadLetter() async throws {
        let harness = try Harness()
        defer { Task { await harness.shutdown() } }
        try harness.start()
        let huge = [UInt8](repeating: 0x7B, count: 900_000)
        try await harness.publish(OutgoingMessage(topic: "freeze.requests", key: Array("big".utf8), value: huge))
        let seen = try await harness.watcher.waitFor("dead letter") { !$0.deadLetters.isEmpty }
        let letter = try #require(seen.deadLetters.first)
        #expect(letter.valueTruncated && letter.valueSize == 900_000)
        #expect(letter.value?.count == 512 * 1024)
    }
}
