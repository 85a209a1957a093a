import Relay

/// How a timer's id is stored in `deadlines.deadline_id` (see ``TimerKeysSchema``).
enum TimerKey {
    /// The form a ledger of `schemaVersion` keys timers by: from version 14 on, the part of the id
    /// after "<request id>/"; before it (ledgers tests write with older migrations), the whole id.
    static func stored(_ deadline: Deadline, schemaVersion: Int) -> String {
        guard schemaVersion >= TimerKeysSchema.version else { return deadline.id }
        let prefix = Stored.text(deadline.requestID) + "/"
        return deadline.id.hasPrefix(prefix) ? String(deadline.id.dropFirst(prefix.count)) : "=" + deadline.id
    }

    /// The whole id of a key stored by a ledger of `schemaVersion` under request `request`.
    static func id(stored: String, request: String, schemaVersion: Int) -> String {
        guard schemaVersion >= TimerKeysSchema.version else { return stored }
        return stored.hasPrefix("=") ? String(stored.dropFirst()) : request + "/" + stored
    }
}
