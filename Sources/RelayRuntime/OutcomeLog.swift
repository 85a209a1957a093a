import Authenticity
import Contracts
import LogThrottle
import Logging

/// The intake's log lines about consumed records: one `records applied` line per batch at info
/// (with how many of each outcome), `record applied` per record at debug, a warning per
/// dead-lettered record and an error per SECURITY refusal (an answer from a bank about a
/// request not routed to it, an order no registered issuer signed); a warning per order accepted
/// or answer accepted unverified under the `warn` policy.
///
/// Refusals go through a `ThrottledLog`, so a flood of bad records cannot flood the log: per
/// reason code, the first 10 lines a minute are written and then one summary line with the
/// count of the rest. Security lines are kept per bank with a higher allowance (100 a minute),
/// still bounded; every refusal is in the dead letters and the metrics whatever the log shows.
struct OutcomeLog: Sendable {
    static let deadLetterAllowance = LogAllowance.standard
    static let securityAllowance = LogAllowance(lines: 100, window: .seconds(60))

    let logger: Logger
    let refusals: ThrottledLog

    /// - Parameter now: the time windows are measured on; monotonic unless a test injects one.
    init(logger: Logger, now: (@Sendable () -> Duration)? = nil) {
        self.logger = logger
        self.refusals = ThrottledLog(logger: logger, now: now)
    }

    func write(_ outcomes: [IntakeOutcome]) {
        // Per record only at debug: at thousands of records a second, a line each would cost more
        // than deciding them; operators get every refusal and security event, and a count per batch.
        let perRecord = logger.logLevel <= .debug
        var counts: [String: Int] = [:]
        for outcome in outcomes where outcome.outcome != .alreadyApplied {
            let refused = outcome.failure != nil || outcome.deadLetterCode != nil
            // Refusals have their own (rate-limited) lines: a flood of them adds no batch lines.
            if !refused { counts[outcome.outcome.name, default: 0] += 1 }
            guard perRecord || refused else { continue }
            var metadata: Logger.Metadata = [
                "source": "\(outcome.topic)/\(outcome.partition)@\(outcome.offset)", "outcome": "\(outcome.outcome)",
            ]
            if let id = outcome.requestID { metadata["request_id"] = "\(CanonicalUUID.string(id))" }
            if let caseID = outcome.caseID { metadata["case_id"] = "\(caseID)" }
            if let bank = outcome.bankID { metadata["bank"] = "\(bank)" }
            if let code = outcome.deadLetterCode { metadata["dead_letter"] = "\(code.rawValue)" }
            if let unverified = outcome.unverified {
                metadata["unverified"] = "\(unverified.rawValue)"
                refusals.warning(
                    "SECURITY: record accepted without a valid signature (policy warn)",
                    code: "unverified/\(outcome.topic)/\(unverified.rawValue)",
                    allowance: Self.securityAllowance, metadata: metadata)
            }
            if let failure = outcome.failure {
                // A bug of the relay's own: loud, but bounded like the rest.
                metadata["error"] = "\(failure)"
                refusals.error(
                    "internal error on a record: its decision was dropped and the record dead-lettered in minimal form (internal_error); intake goes on. Please report this",
                    code: "internal_error", allowance: Self.securityAllowance, metadata: metadata)
            } else if outcome.outcome == .unauthenticatedAnswer, let code = outcome.deadLetterCode {
                refusals.error(
                    "SECURITY: bank answer refused: not signed with the bank's registered key; dead-lettered and escalated",
                    code: "unauthenticated_answer/\(outcome.bankID?.rawValue ?? "none")/\(code.rawValue)",
                    allowance: Self.securityAllowance, metadata: metadata)
            } else if outcome.outcome == .unauthenticated, let code = outcome.deadLetterCode {
                refusals.error(
                    "SECURITY: order refused: not signed by a registered issuer; dead-lettered and escalated",
                    code: "unauthenticated/\(code.rawValue)", allowance: Self.securityAllowance, metadata: metadata)
            } else if outcome.outcome == .foreignResponse {
                refusals.error(
                    "SECURITY: answer about a request not routed to this bank; refused and dead-lettered",
                    code: "foreign_response/\(outcome.bankID?.rawValue ?? "none")", allowance: Self.securityAllowance,
                    metadata: metadata)
            } else if let code = outcome.deadLetterCode {
                refusals.warning(
                    "record dead-lettered", code: code.rawValue, allowance: Self.deadLetterAllowance, metadata: metadata
                )
            } else {
                logger.debug("record applied", metadata: metadata)
            }
        }
        guard !counts.isEmpty else { return }
        logger.info(
            "records applied",
            metadata: [
                "count": "\(counts.values.reduce(0, +))",
                "outcomes":
                    "\(counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))",
            ])
    }

    /// Writes the summaries of windows that have ended; called on every turn of the intake loop.
    func flush() { refusals.flush() }

    /// Writes every pending summary (at shutdown).
    func flushAll() { refusals.flushAll() }
}
