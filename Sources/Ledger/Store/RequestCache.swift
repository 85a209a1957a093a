import Contracts
import Foundation
import SQLiteStore

/// The writer's decoded requests, by request id, so that reading a case does not decode the
/// stored JSON of each of its requests again for every record about that case.
///
/// A request's stored JSON never changes once its row is inserted (later writes touch only the
/// state columns), so a decoded copy stays right for as long as the row exists. Only purge
/// deletes requests, and it empties the cache.
///
/// Transactions: what a transaction adds is held apart (`pending`) and joins the cache only when
/// that transaction commits, so a rolled-back transaction leaves nothing behind for rows that were
/// never committed. It also remembers, until it ends, the ids it looked up and found absent, so
/// that inserting such a request needs no UPDATE first.
///
/// Bounded: two generations of at most `capacity / 2` entries; when the newer one is full the
/// older is dropped, and a hit in the older one moves the entry up, so requests still in use stay.
///
/// Not thread-safe: only the writer touches it, under `WriterSlot`'s lock.
final class RequestCache: WriterMemory {
    /// The most entries kept between transactions (a transaction may stage more until it commits).
    let capacity: Int
    private var recent: [UUID: FreezeRequest] = [:]
    private var older: [UUID: FreezeRequest] = [:]
    private var pending: [UUID: FreezeRequest] = [:]
    private var absent: Set<UUID> = []

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    /// Entries kept between transactions.
    var count: Int { recent.count + older.count }

    /// The decoded request, if cached (or staged by the transaction in progress).
    func request(_ id: UUID) -> FreezeRequest? {
        if let request = pending[id] ?? recent[id] { return request }
        guard let request = older.removeValue(forKey: id) else { return nil }
        keep(id, request)
        return request
    }

    /// Stages the request of a row that this transaction inserted or read.
    func stage(_ request: FreezeRequest) {
        pending[request.requestID] = request
        absent.remove(request.requestID)
    }

    /// Notes that this transaction looked `id` up and found no row.
    func noteAbsent(_ id: UUID) { absent.insert(id) }

    /// Whether this transaction found `id` absent and has not inserted it since.
    func isKnownAbsent(_ id: UUID) -> Bool { absent.contains(id) }

    /// The transaction committed: its staged requests join the cache.
    package func commit() {
        for (id, request) in pending { keep(id, request) }
        pending.removeAll(keepingCapacity: true)
        absent.removeAll(keepingCapacity: true)
    }

    /// The transaction rolled back: forget what it staged and what it found absent.
    package func rollback() {
        pending.removeAll(keepingCapacity: true)
        absent.removeAll(keepingCapacity: true)
    }

    /// Forgets everything (rows were deleted).
    func removeAll() {
        recent.removeAll()
        older.removeAll()
        rollback()
    }

    private func keep(_ id: UUID, _ request: FreezeRequest) {
        guard capacity > 0 else { return }
        if recent.count >= max(capacity / 2, 1), recent[id] == nil {
            older = recent
            recent = [:]
        }
        recent[id] = request
    }
}

extension Database {
    /// The relay's decoded requests, in the writer's transactions; nil on readers and in migrations.
    var requests: RequestCache? { memory as? RequestCache }
}
