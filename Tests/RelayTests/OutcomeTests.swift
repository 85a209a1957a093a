import Foundation
import Testing

@testable import Relay

/// Outcomes are typed, but their names are what logs, metric labels and the operator orders
/// stored in the ledger (JSON) carry: those must not change with the type.
@Suite struct OutcomeTests {
    @Test func everyNameIsSnakeCaseAndNamesOneOutcome() {
        let all = Outcome.plain + RequestState.allCases.map(Outcome.answered)
        for outcome in all {
            #expect(outcome.name.allSatisfy { $0.isLowercase || $0 == "_" }, "\(outcome.name)")
            #expect("\(outcome)" == outcome.name, "a log line shows the name")
        }
        #expect(Set(Outcome.plain.map(\.name)).count == Outcome.plain.count, "two plain outcomes share a name")
        for outcome in Outcome.plain { #expect(Outcome(name: outcome.name) == outcome) }
    }

    @Test func anAnswersStateIsReadBackOnlyWhereNoOutcomeOfItsOwnHasTheName() {
        #expect(Outcome(name: "frozen") == .answered(.frozen))
        #expect(Outcome(name: "partially_frozen") == .answered(.partiallyFrozen))
        // `released` is an operator's release of a held request as well as a bank's lifted hold.
        #expect(Outcome(name: "released") == .released)
        #expect(Outcome.answered(.released).name == "released")
        #expect(Outcome(name: "Routed") == nil && Outcome(name: "") == nil && Outcome(name: "not_an_outcome") == nil)
    }

    @Test func operatorOrderOutcomesKeepTheirStoredJSON() throws {
        let stored = OperatorOrderOutcome(
            id: UUID(uuidString: "6f1c2d3e-0000-4000-8000-000000000001")!, caseID: "C-1", outcome: .releasedUnroutable,
            bankID: nil, state: "unroutable")
        let json = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        #expect(json.contains("\"outcome\":\"released_unroutable\""), "\(json)")
        #expect(try JSONDecoder().decode(OperatorOrderOutcome.self, from: Data(json.utf8)) == stored)
        let unknown = json.replacingOccurrences(of: "released_unroutable", with: "exploded")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(OperatorOrderOutcome.self, from: Data(unknown.utf8))
        }
        #expect(!OperatorOrderOutcome(id: stored.id, caseID: nil, outcome: .notHeld, bankID: nil, state: nil).decided)
        #expect(stored.decided)
    }
}
