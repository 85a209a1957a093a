import Contracts
import Foundation

/// How many freeze requests police may put through before an operator looks. A request over a
/// limit is not dropped and not routed: it is held until an operator releases or refuses it.
///
/// Issuer limits count the requests the relay admitted (routed, or kept as unroutable) per UTC
/// minute and per UTC day: fixed windows, so every count is one row the ledger keeps anyway and
/// the same input always gets the same answer. Account limits count the requests for one IBAN:
/// those still open (at a bank or waiting to be routed) across every case, and those received
/// within a sliding window. Follow-up requests created by chain following are counted for their
/// account but never held: a bank's answer, not police, asked for them.
public struct IntakeQuotas: Sendable, Hashable {
    /// Requests per issuer and window; nil means no limit.
    public struct IssuerLimits: Sendable, Hashable {
        public var perMinute: Int?
        public var perDay: Int?

        public init(perMinute: Int? = nil, perDay: Int? = nil) {
            (self.perMinute, self.perDay) = (perMinute, perDay)
        }
    }

    /// Requests per account (IBAN); nil means no limit.
    public struct AccountLimits: Sendable, Hashable {
        /// Requests for the account not yet final (routed, acknowledged, frozen, waiting to be
        /// routed), in any case. Held requests do not count: they are what the limit produced.
        public var openRequests: Int?
        /// Requests for the account received within `repeatWindow`, held ones excepted.
        public var repeats: Int?
        public var repeatWindow: Duration

        public init(openRequests: Int? = nil, repeats: Int? = nil, repeatWindow: Duration = .seconds(86_400)) {
            (self.openRequests, self.repeats, self.repeatWindow) = (openRequests, repeats, repeatWindow)
        }
    }

    /// Limits for every issuer without its own.
    public var issuer: IssuerLimits
    /// Limits by registered issuer id.
    public var issuerOverrides: [String: IssuerLimits]
    public var account: AccountLimits

    public init(
        issuer: IssuerLimits = IssuerLimits(), issuerOverrides: [String: IssuerLimits] = [:],
        account: AccountLimits = AccountLimits()
    ) {
        (self.issuer, self.issuerOverrides, self.account) = (issuer, issuerOverrides, account)
    }

    /// Nothing limited: for tools and tests that build a relay by hand. A configuration file
    /// without a `quotas` section gets the documented defaults instead.
    public static let unlimited = IntakeQuotas()

    /// Whether no limit is set (then intake does not count). The repeat window alone limits nothing.
    public var isUnlimited: Bool {
        ([issuer] + issuerOverrides.values).allSatisfy { $0.perMinute == nil && $0.perDay == nil }
            && account.openRequests == nil && account.repeats == nil
    }

    /// The limits that apply to `issuer`.
    public func limits(for issuer: QuotaIssuer) -> IssuerLimits {
        issuer.registeredID.flatMap { issuerOverrides[$0] } ?? self.issuer
    }

    /// The first limit a new request would exceed, given what was counted before it; nil when it
    /// is within every limit.
    public func breach(_ usage: QuotaUsage) -> QuotaBreach? {
        let limits = limits(for: usage.issuer)
        if let limit = limits.perMinute, usage.issuerThisMinute >= limit {
            return QuotaBreach(
                .issuerPerMinute, limit: limit, counted: usage.issuerThisMinute,
                "\(usage.issuer) already had \(usage.issuerThisMinute) request(s) admitted this minute (UTC); its limit is \(limit) per minute"
            )
        }
        if let limit = limits.perDay, usage.issuerToday >= limit {
            return QuotaBreach(
                .issuerPerDay, limit: limit, counted: usage.issuerToday,
                "\(usage.issuer) already had \(usage.issuerToday) request(s) admitted today (UTC); its limit is \(limit) per day"
            )
        }
        if let limit = account.openRequests, usage.accountOpen >= limit {
            return QuotaBreach(
                .accountOpenRequests, limit: limit, counted: usage.accountOpen,
                "the account already has \(usage.accountOpen) open request(s) across cases; the limit is \(limit)")
        }
        if let limit = account.repeats, usage.accountRecent >= limit {
            return QuotaBreach(
                .accountRepeats, limit: limit, counted: usage.accountRecent,
                "the account was already named in \(usage.accountRecent) request(s) within \(Self.describe(account.repeatWindow)); the limit is \(limit)"
            )
        }
        return nil
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds % 86_400 == 0 { return "\(seconds / 86_400) day(s)" }
        if seconds % 3_600 == 0 { return "\(seconds / 3_600) hour(s)" }
        if seconds % 60 == 0 { return "\(seconds / 60) minute(s)" }
        return "\(seconds) second(s)"
    }
}

/// Whom a police request counts against: the registered issuer that lists its agency, or the
/// agency itself when no issuer does (signatures off, or `warn` for unknown agencies).
public struct QuotaIssuer: Sendable, Hashable, CustomStringConvertible {
    /// The registered issuer's id, when one lists the agency.
    public let registeredID: String?
    /// The agency the order names.
    public let agency: String

    public init(registeredID: String?, agency: String) {
        (self.registeredID, self.agency) = (registeredID, agency)
    }

    /// The key the ledger counts under: one namespace for issuers, one for bare agencies, so an
    /// agency cannot be named to spend a registered issuer's quota.
    public var key: String { registeredID.map { "issuer:\($0)" } ?? "agency:\(agency)" }

    public var description: String {
        registeredID.map { "issuer \"\(ContractText.fittedName($0, limit: 64))\"" }
            ?? "agency \"\(ContractText.fittedName(agency, limit: 64))\" (no registered issuer)"
    }
}

/// The fixed windows issuer counts are kept in: UTC minutes and UTC days since the epoch.
public enum QuotaWindow: String, Sendable, Hashable, CaseIterable {
    case minute
    case day

    public var seconds: Int64 { self == .minute ? 60 : 86_400 }

    /// The window `time` falls in, as a number of windows since the epoch.
    public func index(of time: Timestamp) -> Int64 {
        let seconds = time.secondsSinceEpoch
        // Floor division, so instants before 1970 still fall in the window that holds them.
        return seconds >= 0 ? seconds / self.seconds : -((-seconds + self.seconds - 1) / self.seconds)
    }
}

/// What the ledger counted when a police request arrived, before deciding on it.
public struct QuotaUsage: Sendable, Hashable {
    public var issuer: QuotaIssuer
    /// Requests admitted from the issuer in the current UTC minute.
    public var issuerThisMinute: Int
    /// Requests admitted from the issuer in the current UTC day.
    public var issuerToday: Int
    /// Open requests for the account, in any case.
    public var accountOpen: Int
    /// Requests for the account received within the repeat window.
    public var accountRecent: Int

    public init(
        issuer: QuotaIssuer, issuerThisMinute: Int = 0, issuerToday: Int = 0, accountOpen: Int = 0,
        accountRecent: Int = 0
    ) {
        (self.issuer, self.issuerThisMinute, self.issuerToday, self.accountOpen, self.accountRecent) = (
            issuer, issuerThisMinute, issuerToday, accountOpen, accountRecent
        )
    }
}

/// The limit a held request is over, and how far.
public struct QuotaBreach: Sendable, Hashable {
    public enum Limit: String, Sendable, Hashable, CaseIterable {
        case issuerPerMinute = "issuer_per_minute"
        case issuerPerDay = "issuer_per_day"
        case accountOpenRequests = "account_open_requests"
        case accountRepeats = "account_repeats"
    }

    public var limit: Limit
    public var allowed: Int
    public var counted: Int
    /// Ids and counts only: no account number, no name.
    public var detail: String

    public init(_ limit: Limit, limit allowed: Int, counted: Int, _ detail: String) {
        (self.limit, self.allowed, self.counted, self.detail) = (limit, allowed, counted, detail)
    }
}

/// Counts one admitted police request against its issuer's windows.
public struct QuotaCharge: Sendable, Hashable {
    /// `QuotaIssuer.key`.
    public var issuerKey: String
    public var at: Timestamp

    public init(issuerKey: String, at: Timestamp) {
        (self.issuerKey, self.at) = (issuerKey, at)
    }
}
