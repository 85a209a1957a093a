import Contracts
import Foundation
import Relay

/// Which cases named an account: the ledger's requests by IBAN (through `requests_by_iban`).
/// The relay links cases with them (see `AccountLinkPolicy`); operators list mule accounts.
extension RelayTransaction {
    /// The requests for `iban`, newest first, at most `AccountLinkPolicy.sightingsRead`.
    public func accountSightings(iban: IBAN) throws -> [AccountSighting] {
        try AccountSightingRows.sightings(db, iban: iban.electronicFormat, limit: AccountLinkPolicy.sightingsRead)
    }
}

enum AccountSightingRows {
    static let sql = """
        SELECT case_id, request_id, state, received_at FROM requests
        WHERE iban = ? ORDER BY received_at DESC, request_id DESC LIMIT ?
        """

    static func sightings(_ db: borrowing Database, iban: String, limit: Int) throws -> [AccountSighting] {
        try db.query(sql, [iban, limit]) { row in
            AccountSighting(
                caseID: try row["case_id"],
                requestID: try Stored.uuid(try row["request_id"], column: "requests.request_id"),
                state: try Stored.enumeration(RequestState.self, try row["state"], column: "requests.state"),
                receivedAt: Stored.timestamp(try row["received_at"] as Int64))
        }
    }
}

/// A request of one case whose account another case named too.
public struct CaseAccountLink: Sendable, Hashable {
    /// The request of the case asked about.
    public var requestID: UUID
    /// The other case, and its newest request for the account.
    public var linked: LinkedCase
    /// When the other case's request was received.
    public var linkedReceivedAt: Timestamp

    public init(requestID: UUID, linked: LinkedCase, linkedReceivedAt: Timestamp) {
        self.requestID = requestID
        self.linked = linked
        self.linkedReceivedAt = linkedReceivedAt
    }
}

/// An account named in several cases, for operators (`freeze-relay accounts`).
public struct AccountSeenInCases: Sendable, Hashable {
    public var iban: IBAN
    /// Distinct cases that named it.
    public var caseCount: Int
    /// Requests for it, across cases.
    public var requestCount: Int
    /// Its requests not yet final.
    public var openRequests: Int
    /// Up to `casesListed` of the cases, newest first.
    public var cases: [String]
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp

    /// Case ids listed per account.
    public static let casesListed = 10
}

extension LedgerReader {
    /// For each request of `caseID`, the other cases that named its account (each once, with its
    /// newest request for it), newest first. Any time in the ledger counts, not only the relay's
    /// link window: operators asking about a case want every lead.
    public func accountLinks(ofCase caseID: String) throws -> [CaseAccountLink] {
        try read { db in
            let requests = try db.query(
                "SELECT request_id, iban FROM requests WHERE case_id = ? ORDER BY received_at, request_id", [caseID]
            ) { row in
                (try Stored.uuid(try row["request_id"], column: "requests.request_id"), try row["iban"] as String)
            }
            var links: [CaseAccountLink] = []
            // A chain often names one account from several requests: each account is read once.
            var sightingsByIBAN: [String: [AccountSighting]] = [:]
            for (requestID, iban) in requests {
                if sightingsByIBAN[iban] == nil {
                    sightingsByIBAN[iban] = try AccountSightingRows.sightings(
                        db, iban: iban, limit: AccountLinkPolicy.sightingsRead)
                }
                var cases: Set<String> = [caseID]
                for sighting in sightingsByIBAN[iban] ?? [] where cases.insert(sighting.caseID).inserted {
                    links.append(
                        CaseAccountLink(
                            requestID: requestID,
                            linked: LinkedCase(caseID: sighting.caseID, requestID: sighting.requestID),
                            linkedReceivedAt: sighting.receivedAt))
                }
            }
            return links
        }
    }

    /// Accounts named in at least `minimumCases` cases, most cases first (then most recent), at
    /// most `limit`. Reads every request once: an operator's question, not the relay's hot path.
    public func accountsSeenInCases(minimumCases: Int, limit: Int = 100) throws -> [AccountSeenInCases] {
        try read { db in
            let open = RequestState.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            let accounts = try db.query(
                """
                SELECT iban, count(DISTINCT case_id) AS cases, count(*) AS requests,
                       sum(state IN (\(open))) AS open, min(received_at) AS first, max(received_at) AS last
                FROM requests GROUP BY iban HAVING count(DISTINCT case_id) >= ?
                ORDER BY cases DESC, last DESC, iban LIMIT ?
                """, [max(1, minimumCases), limit]
            ) { row in
                (
                    iban: try row["iban"] as String, cases: try row["cases"] as Int,
                    requests: try row["requests"] as Int,
                    open: try row["open"] as Int, first: try row["first"] as Int64, last: try row["last"] as Int64
                )
            }
            return try accounts.map { account in
                guard let iban = try? IBAN(account.iban) else {
                    throw LedgerError.corruptValue(column: "requests.iban", value: "(not an IBAN)")
                }
                let cases = try db.query(
                    """
                    SELECT case_id, max(received_at) AS last FROM requests WHERE iban = ?
                    GROUP BY case_id ORDER BY last DESC, case_id LIMIT ?
                    """, [account.iban, AccountSeenInCases.casesListed]
                ) { row in try row["case_id"] as String }
                return AccountSeenInCases(
                    iban: iban, caseCount: account.cases, requestCount: account.requests, openRequests: account.open,
                    cases: cases, firstSeen: Stored.timestamp(account.first), lastSeen: Stored.timestamp(account.last))
            }
        }
    }
}
