import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// The chain examples in `schemas/examples/valid` are what the relay emits: kaspi's
/// partially_frozen answer to the original request is fed to the engine with kaspi and jusan in
/// the routing table, and the status, the child routed to jusan and jusan's acknowledgement of it
/// must equal the example files, except for the envelope `id` (derived from the position of the
/// record the relay read, which an example cannot know).
@Suite("Chain examples agree with the relay")
struct ChainExampleTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/examples/valid")

    static let kaspi = Fixture.bank("kaspi")
    static let jusan = Fixture.bank("jusan")
    /// kaspi holds KZ…722…, jusan KZ…998…; the DE account in the answer belongs to no participating bank.
    static let banks = [
        BankProfile(id: kaspi, name: "Kaspi Bank", ibanBankCodes: ["KZ722"]),
        BankProfile(id: jusan, name: "Jusan Bank", ibanBankCodes: ["KZ998"]),
    ]
    /// When the relay read kaspi's answer (the `created_at` of the examples it emitted for it).
    static let answeredAt = try! Timestamp(parsing: "2024-05-14T09:20:00.120Z")

    static func bytes(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: examples.appendingPathComponent(path)))
    }

    /// The example's JSON and the emitted event's JSON, both without `id`.
    static func comparable(_ example: String, _ emitted: Event) throws -> (example: JSONValue, emitted: JSONValue) {
        func withoutID(_ value: JSONValue) -> JSONValue {
            guard case .object(var object) = value else { return value }
            object["id"] = nil
            return .object(object)
        }
        return (
            withoutID(try JSONValue.parse(try bytes(example))),
            withoutID(try JSONValue.parse(try EventEncoder.encode(emitted)))
        )
    }

    /// The world after kaspi's answer, with the effects of that answer.
    static func afterKaspiAnswered() throws -> (RelayWorld, Effects) {
        let world = RelayWorld(Fixture.engine(banks: banks))
        guard
            case .request(let original) = try EventDecoder.decodePoliceMessage(
                try bytes("freeze_request/urgent-card-fraud-kaspi.json"))
        else {
            throw ExampleMismatch(what: "urgent-card-fraud-kaspi.json is not a freeze_request")
        }
        #expect(world.receive(original).outcome == .routed)
        let answer = try EventDecoder.decodeBankResponse(
            try bytes("bank_response/partially-frozen-with-transfers.json"))
        return (world, world.answer(answer, from: kaspi, at: answeredAt))
    }

    struct ExampleMismatch: Error { let what: String }

    @Test(
        "partially_frozen: one child at jusan; the DE account (no participating bank) and the wallet are exits, not children"
    )
    func partiallyFrozenStatus() throws {
        let (_, effects) = try Self.afterKaspiAnswered()
        let status = try #require(effects.statuses.first { $0.status == .partiallyFrozen })
        #expect(status.children.map(\.bankID) == [Self.jusan])
        #expect(status.exits.map(\.transfer.reference) == ["KSP-TX-99120377", "KSP-P2P-5512"])
        let (example, emitted) = try Self.comparable(
            "request_status/partially-frozen-children-and-exits.json", .requestStatus(status))
        #expect(example == emitted, "the relay emits \(emitted)")
    }

    @Test("the child routed to jusan: its request_id is the documented UUIDv5, its hop is 1")
    func routedChild() throws {
        let (_, effects) = try Self.afterKaspiAnswered()
        let routed = try #require(
            effects.events.compactMap { if case .routedRequest(let r) = $0.event { r } else { nil } }.first)
        #expect(routed.chain?.hop == 1)
        // The value written in schemas/README.md ("Chain requests").
        #expect(CanonicalUUID.string(routed.requestID) == "5f0e3943-0954-5314-b3f7-a4f7cb503b7f")
        let (example, emitted) = try Self.comparable(
            "routed_request/chain-request-to-jusan.json", .routedRequest(routed))
        #expect(example == emitted, "the relay emits \(emitted)")
    }

    @Test("jusan acknowledges the child: the status carries parent_request_id and hop 1")
    func childAcknowledged() throws {
        let (world, effects) = try Self.afterKaspiAnswered()
        let child = try #require(effects.requests.first { $0.bankID == Self.jusan })
        let at = try Timestamp(parsing: "2024-05-14T09:23:41.250Z")
        let ack = BankResponse(
            id: UUID(uuidString: "77cb915f-276a-5a7d-8b72-dd0febf65e7f")!, createdAt: at, responseID: "JSN-ACK-7731",
            requestID: child.requestID, status: .acknowledged, respondedAt: at)
        let answered = world.answer(ack, from: Self.jusan, at: at)
        let status = try #require(answered.statuses.first)
        let (example, emitted) = try Self.comparable(
            "request_status/chain-request-acknowledged.json", .requestStatus(status))
        #expect(example == emitted, "the relay emits \(emitted)")
    }
}
