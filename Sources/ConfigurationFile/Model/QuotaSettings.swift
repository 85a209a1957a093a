/// `quotas`: how many freeze requests police may put through before an operator looks. A request
/// over a limit is held (kept, not routed) until an operator releases or refuses it.
///
/// Without a `quotas` section the defaults below apply; `quotas: off` (or `off` for one limit)
/// lifts the limit. Issuer limits count requests per UTC minute and per UTC day, for the
/// registered issuer that lists the order's agency (or the agency itself when none does).
public struct QuotaSettings: Sendable, Equatable {
    /// Limits of one issuer; nil means no limit.
    public struct IssuerLimits: Sendable, Equatable {
        public var perMinute: Int?
        public var perDay: Int?

        public init(perMinute: Int? = nil, perDay: Int? = nil) {
            (self.perMinute, self.perDay) = (perMinute, perDay)
        }
    }

    /// An issuer's own limits (`quotas.issuers[]`), by its id in `authenticity.issuers`.
    public struct IssuerOverride: Sendable, Equatable {
        public var id: String
        public var limits: IssuerLimits

        public init(id: String, limits: IssuerLimits) {
            (self.id, self.limits) = (id, limits)
        }
    }

    /// Default: 600 requests per minute and 20,000 per day for each issuer.
    public var issuer: IssuerLimits
    public var issuers: [IssuerOverride]
    /// Default: 20 open requests per account across cases.
    public var accountOpenRequests: Int?
    /// Default: 10 requests per account within `accountRepeatWindow`.
    public var accountRepeats: Int?
    /// Default: 24 hours.
    public var accountRepeatWindow: Duration

    public init(
        issuer: IssuerLimits = IssuerLimits(perMinute: 600, perDay: 20_000), issuers: [IssuerOverride] = [],
        accountOpenRequests: Int? = 20, accountRepeats: Int? = 10, accountRepeatWindow: Duration = .seconds(86_400)
    ) {
        self.issuer = issuer
        self.issuers = issuers
        self.accountOpenRequests = accountOpenRequests
        self.accountRepeats = accountRepeats
        self.accountRepeatWindow = accountRepeatWindow
    }

    /// No limit at all (`quotas: off`).
    public static let off = QuotaSettings(issuer: IssuerLimits(), accountOpenRequests: nil, accountRepeats: nil)
}
