import Contracts
import Foundation
import Ledger

/// What the dead-letters page shows of one dead letter, read from its JSON payload. Pure.
///
/// The original message (`value_base64`) is shown only on request, and even then with
/// everything that looks like an IBAN masked to its last four characters and every JSON
/// field whose name ends in `name` (holder names) hidden: a dead letter holds what police or a
/// bank sent, personal data included.
struct DeadLetterView: Sendable, Hashable {
    var sequence: Int64
    var code: String
    var message: String
    var path: String?
    var source: String
    var deadLetteredAt: String
    var published: Bool
    /// The original message, redacted; nil when the dead letter holds none (tombstone, minimal form).
    var original: String?

    init(_ entry: DeadLetterEntry) {
        sequence = entry.sequence
        published = entry.sentAt != nil
        let json = (try? JSONSerialization.jsonObject(with: Data(entry.payload))) as? [String: Any] ?? [:]
        let reason = json["reason"] as? [String: Any] ?? [:]
        code = reason["code"] as? String ?? "unreadable"
        message = TextRedaction.maskAccounts(
            reason["message"] as? String ?? "(the dead letter's payload could not be read)")
        path = reason["path"] as? String
        if let source = json["source"] as? [String: Any] {
            let partition = (source["partition"] as? NSNumber)?.intValue ?? -1
            let offset = (source["offset"] as? NSNumber)?.int64Value ?? -1
            self.source = "\(source["topic"] as? String ?? "?") [\(partition)] @ \(offset)"
        } else {
            self.source = "–"
        }
        deadLetteredAt = json["dead_lettered_at"] as? String ?? ConsoleFormat.time(entry.createdAt)
        original = (json["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map {
            TextRedaction.redactMessage(String(decoding: $0.prefix(Self.shownBytes), as: UTF8.self))
                + ($0.count > Self.shownBytes ? "\n… (\($0.count - Self.shownBytes) more bytes not shown)" : "")
        }
    }

    /// How much of an original message the page shows (they may be most of a megabyte).
    static let shownBytes = 8 * 1024
}
