import Contracts
import Foundation
import Relay
import Testing

@testable import Ledger

/// An outbox insert that meets an id already queued: the same event again is harmless, another
/// event under the same id is a bug that must be reported, never hidden.
@Suite struct OutboxConflictTests {
    private static func message(_ id: UUID, payload: String, topic: String = "freeze.status", key: String = "C-1")
        -> OutboxMessage
    {
        OutboxMessage(
            eventID: id, eventType: "request_status", topic: topic, key: Array(key.utf8), payload: Array(payload.utf8),
            headers: [(name: "fr-event-type", value: Array("request_status".utf8))])
    }

    private static func queue(_ messages: [OutboxMessage], in ledger: Ledger) throws {
        try ledger.write { tx in try tx.apply(Effects(), outbox: messages, at: Fixture.time(0)) }
    }

    @Test func theSameEventQueuedAgainIsANoOp() async throws {
        try await withRelayLedger { ledger, _ in
            let id = UUID()
            try Self.queue([Self.message(id, payload: "{\"a\":1}")], in: ledger)
            try Self.queue([Self.message(id, payload: "{\"a\":1}")], in: ledger)
            #expect(try ledger.count("outbox") == 1)
        }
    }

    @Test(arguments: [
        ("payload", "{\"a\":2}", "freeze.status", "C-1"), ("topic", "{\"a\":1}", "freeze.escalations", "C-1"),
        ("key", "{\"a\":1}", "freeze.status", "C-2"),
    ])
    func anotherEventUnderAQueuedIDIsRefused(differing: String, payload: String, topic: String, key: String)
        async throws
    {
        try await withRelayLedger { ledger, _ in
            let id = UUID()
            try Self.queue([Self.message(id, payload: "{\"a\":1}")], in: ledger)
            // The intake catches the refusal and goes on in the same transaction, so what the refused
            // decision wrote before its outbox must not stay behind either.
            var refusal: OutboxConflict?
            try ledger.write { tx in
                var effects = Effects()
                effects.responses = [
                    ResponseSeen(
                        bankID: try BankID("alpha"), responseID: "R-1", requestID: UUID(),
                        fingerprint: ContentFingerprint(canonicalBytes: [1]))
                ]
                do {
                    try tx.apply(
                        effects, outbox: [Self.message(id, payload: payload, topic: topic, key: key)],
                        at: Fixture.time(0))
                } catch let conflict as OutboxConflict {
                    refusal = conflict
                }
            }
            #expect(refusal?.differences == [differing], "a different \(differing) under a queued id must be refused")
            #expect(refusal?.description.contains(CanonicalUUID.string(id)) == true)
            #expect(try ledger.count("outbox") == 1)
            #expect(try ledger.count("responses") == 0)
        }
    }
}
