import Contracts
import Foundation
import Ledger
import LogThrottle
import Logging
import Relay

/// Keeps the dead letters the ledger stores within `RelaySettings.maxDeadLetterBytes`
/// (`ledger.max_dead_letter_bytes`): when they exceed it, the oldest ones lose their content
/// (key, value, headers: the refused record's bytes, personal data included) and keep a minimal
/// form with the same id, source and reason. Rows and counts stay; purge removes old ones.
struct DeadLetterBudget: Sendable {
    let ledger: Ledger
    let maxBytes: Int64
    let clock: any RelayClock
    let metrics: RelayMetrics
    /// Rate-limited: under a flood of junk, the budget is enforced after every batch.
    let log: ThrottledLog

    /// Call after an intake batch that wrote dead letters, and at start (the budget may have
    /// been lowered). Within budget it costs one row read. A failure is logged, never thrown:
    /// intake goes on, and a ledger that cannot be written stops it on the next batch anyway.
    func enforce() {
        do {
            let stats = try ledger.deadLetterStats()
            metrics.deadLetterStats(stats)
            guard stats.payloadBytes > maxBytes else { return }
            let trim = try ledger.dropDeadLetterContent(
                toFit: maxBytes, at: clock.now(), minimalForm: MinimalDeadLetterForm.make)
            metrics.deadLetterContentDropped(trim.dropped)
            metrics.deadLetterStats(try ledger.deadLetterStats())
            var metadata: Logger.Metadata = [
                "dropped": "\(trim.dropped)", "bytes_before": "\(trim.bytesBefore)",
                "bytes_after": "\(trim.bytesAfter)", "budget": "\(maxBytes)",
            ]
            if trim.unreadable > 0 { metadata["unreadable"] = "\(trim.unreadable)" }
            log.log(
                level: .notice,
                "dropped the content of the oldest dead letters to keep them within ledger.max_dead_letter_bytes",
                code: "dead_letter_budget", metadata: metadata)
            if trim.bytesAfter > maxBytes {
                log.warning(
                    "dead letters exceed ledger.max_dead_letter_bytes even in their minimal form; purge old ones (freeze-relay purge)",
                    code: "dead_letter_budget", metadata: ["bytes": "\(trim.bytesAfter)", "budget": "\(maxBytes)"])
            }
        } catch {
            log.error(
                "could not keep dead letters within ledger.max_dead_letter_bytes", code: "dead_letter_budget",
                metadata: ["error": "\(error)"])
        }
    }
}

/// A dead letter without the refused record's content: the same id, times, source and reason;
/// no key, value or headers, and the reason's message saying so.
enum MinimalDeadLetterForm {
    /// Appended to the reason's message: `content_omitted` says that the content is gone, this says why.
    static let statement =
        " [content dropped: the relay removed this dead letter's key, value and headers to keep its ledger within ledger.max_dead_letter_bytes]"

    /// The minimal form of a stored dead letter's payload, with the Kafka key it is then
    /// published under; nil when the payload is not a dead letter this relay can read.
    static func make(_ payload: [UInt8]) -> MinimalDeadLetter? {
        guard let full = try? EventDecoder.decode(DeadLetter.self, from: payload) else { return nil }
        // Built afresh from what is kept, so that no field describing the content survives.
        var reason = full.reason
        reason.message = ContractText.fitted(reason.message, limit: ContractLimits.detail - statement.count) + statement
        var letter = DeadLetter(
            id: full.id, createdAt: full.createdAt, source: full.source, key: nil, value: nil, headers: [],
            reason: reason, deadLetteredAt: full.deadLetteredAt)
        letter.contentOmitted = true
        guard let encoded = try? EventEncoder.encode(letter) else { return nil }
        // The original key is part of the content; the position names the record instead.
        let source = letter.source
        return MinimalDeadLetter(
            payload: encoded, key: Array("\(source.topic)/\(source.partition)/\(source.offset)".utf8))
    }
}
