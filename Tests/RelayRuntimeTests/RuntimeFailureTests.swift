import Foundation
import RelayKafka
import Testing

@testable import Ledger
@testable import RelayRuntime

/// What stops the daemon is reported as what it is, with the error it stands for kept typed.
@Suite struct RuntimeFailureTests {
    @Test func eachKindOfErrorKeepsItsType() throws {
        let ledger = LedgerError.busy(
            path: "/var/lib/freeze-relay/ledger.sqlite", code: 13, message: "database or disk is full")
        guard case .ledgerUnwritable(let kept) = RuntimeFailure(wrapping: ledger) else {
            Issue.record("a ledger error")
            return
        }
        #expect(kept == ledger)
        #expect("\(RuntimeFailure(wrapping: ledger))".hasPrefix("the ledger cannot be written: "))

        let conflict = OutboxConflict(eventID: UUID(), eventType: "request_status", differences: ["payload"])
        guard case .outboxConflict(let keptConflict) = RuntimeFailure(wrapping: conflict) else {
            Issue.record("a conflict")
            return
        }
        #expect(keptConflict == conflict)

        let fatal = KafkaError(code: .fatal, message: "producer fenced", isFatal: true)
        guard case .kafkaFatal(let keptKafka) = RuntimeFailure(wrapping: fatal) else {
            Issue.record("a fatal Kafka error")
            return
        }
        #expect(keptKafka.code == .fatal)

        let already = RuntimeFailure.servicesOutOfOrder("outbox before intake")
        guard case .servicesOutOfOrder("outbox before intake") = RuntimeFailure(wrapping: already) else {
            Issue.record("kept as it is")
            return
        }
    }

    /// Before, any error the relay did not know was reported as "the ledger cannot be written".
    @Test func anUnknownErrorIsNotReportedAsTheLedgers() {
        let failure = RuntimeFailure(wrapping: CancellationError())
        guard case .unexpected(let error) = failure else {
            Issue.record("\(failure)")
            return
        }
        #expect(error is CancellationError)
        #expect(!"\(failure)".contains("ledger cannot be written"))
        // A Kafka error that is not fatal is not Kafka's end either.
        guard case .unexpected = RuntimeFailure(wrapping: KafkaError(code: .timedOut, message: "slow")) else {
            Issue.record("not fatal")
            return
        }
    }
}
