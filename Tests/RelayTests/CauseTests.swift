import Contracts
import Foundation
import Relay
import Testing

/// Ids the relay derives from a consumed record come from where the record sits, never from
/// what its sender wrote in it; the sender's id is only named as the cause.
@Suite("Ids derived from a record's position")
struct CauseTests {
    @Test("two records with the same envelope id at different positions derive different ids and name the same cause")
    func sameEnvelopeDifferentPositions() {
        let envelope = Fixture.uuid(700)
        let first = Cause.record(topic: "freeze.requests", partition: 0, offset: 10, eventID: envelope)
        let second = Cause.record(topic: "freeze.requests", partition: 0, offset: 11, eventID: envelope)
        let elsewhere = Cause.record(topic: "freeze.requests", partition: 1, offset: 10, eventID: envelope)
        #expect(Set([first, second, elsewhere].map { $0.derivedID("dead_letter") }).count == 3)
        #expect([first, second, elsewhere].allSatisfy { $0.eventID == envelope })
    }

    @Test("a record derives the same ids whatever its envelope id says, and whether or not it could be decoded")
    func positionAloneDecides() {
        let decoded = Cause.record(
            topic: "freeze.bank.alpha.responses", partition: 2, offset: 5, eventID: Fixture.uuid(701))
        let forged = Cause.record(
            topic: "freeze.bank.alpha.responses", partition: 2, offset: 5, eventID: Fixture.uuid(702))
        let undecodable = Cause.record(topic: "freeze.bank.alpha.responses", partition: 2, offset: 5, eventID: nil)
        #expect(decoded.derivedID("dead_letter") == forged.derivedID("dead_letter"))
        #expect(decoded.derivedID("dead_letter") == undecodable.derivedID("dead_letter"))
    }

    @Test("an epoch tells apart records at a re-used position; epoch 0 derives the ids of no epoch")
    func epochs() {
        let plain = Cause.record(topic: "freeze.requests", partition: 0, offset: 10, eventID: Fixture.uuid(703))
        let zero = Cause.record(
            topic: "freeze.requests", partition: 0, offset: 10, eventID: Fixture.uuid(703), epoch: 0)
        let one = Cause.record(topic: "freeze.requests", partition: 0, offset: 10, eventID: Fixture.uuid(703), epoch: 1)
        let two = Cause.record(topic: "freeze.requests", partition: 0, offset: 10, eventID: Fixture.uuid(703), epoch: 2)
        #expect(zero.derivedID("dead_letter") == plain.derivedID("dead_letter"))
        #expect(zero == plain)
        #expect(Set([zero, one, two].map { $0.derivedID("dead_letter") }).count == 3)
        #expect(one.eventID == Fixture.uuid(703))
        // Undecodable records too (their cause id is their position's).
        #expect(
            Cause.record(topic: "t", partition: 0, offset: 1, eventID: nil, epoch: 1).derivedID("dead_letter")
                != Cause.record(topic: "t", partition: 0, offset: 1, eventID: nil).derivedID("dead_letter"))
    }
}
