/// Version 7: fewer index writes per request.
///
/// Every new request inserts into each index on its table; an index keyed by a random value (a
/// UUID, a case number) dirties a page of its own per insert, which the commit writes to the WAL
/// and the checkpoint writes again. Two such indexes did nothing the others could not:
///
/// - `deadlines_open_by_request (request_id, kind) WHERE status = 'open'`: cancelling a
///   request's timers goes through `deadlines_by_request` instead (a request has a handful).
/// - `requests_by_bank (bank_id, case_id)` becomes `requests_by_bank (bank_id)`: `cases --bank`
///   still finds the bank's requests through it (and reads their case from the row), but a new
///   request now appends to its bank's run instead of landing at a random case id within it.
enum LeanIndexesSchema {
    static let migration = Migration(
        version: 7, name: "leaner indexes: requests by bank alone, one index for a request's timers",
        sql: """
            DROP INDEX deadlines_open_by_request;
            DROP INDEX requests_by_bank;
            CREATE INDEX requests_by_bank ON requests (bank_id);
            """)
}
