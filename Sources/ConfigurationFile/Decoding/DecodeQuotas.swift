/// The `quotas` section.
enum QuotaKeys {
    static let all = ["issuer", "issuers", "account"]
    static let limits = ["per_minute", "per_day"]
    static let issuer = ["id", "per_minute", "per_day"]
    static let account = ["open_requests", "repeats", "repeat_window"]
    /// Far above any real intake; larger values are typos.
    static let range = 1...100_000_000
}

extension ConfigurationDecoder {
    /// `registered`: the issuer ids of `authenticity.issuers`; an override must name one of them.
    func decodeQuotas(_ top: Section, registered: [String]) -> QuotaSettings {
        if Self.isOff(top.value("quotas")) { return .off }
        let section = top.section("quotas", known: QuotaKeys.all)
        var settings = QuotaSettings()
        guard section.isWellFormed, section.isPresent else { return settings }
        settings.issuer = decodeLimits(section.section("issuer", known: QuotaKeys.limits), defaults: settings.issuer)
        if let tree = section.value("issuers") {
            var seen: Set<String> = []
            settings.issuers =
                Read.list(tree, at: section.path.key("issuers"), log: log) { item, itemPath in
                    let entry = Section(item, at: itemPath, known: QuotaKeys.issuer, log: log)
                    guard entry.isWellFormed, entry.isPresent else { return nil }
                    guard let id = entry.nonEmptyString("id") else {
                        if entry.value("id") == nil {
                            log.error(
                                itemPath.key("id"), entry.source,
                                "required: the id of an issuer in authenticity.issuers")
                        }
                        return nil
                    }
                    guard registered.contains(id) else {
                        log.error(
                            itemPath.key("id"), entry.value("id")?.source,
                            "\(Quote.text(id)) is not an issuer in authenticity.issuers"
                                + Suggestions.hint(for: id, among: registered)
                                + "; limits are set per registered issuer")
                        return nil
                    }
                    guard seen.insert(id).inserted else {
                        log.error(
                            itemPath.key("id"), entry.value("id")?.source, "issuer \(Quote.text(id)) has limits twice")
                        return nil
                    }
                    return QuotaSettings.IssuerOverride(id: id, limits: decodeLimits(entry, defaults: settings.issuer))
                } ?? []
        }
        let account = section.section("account", known: QuotaKeys.account)
        if let open = limit(account, "open_requests") { settings.accountOpenRequests = open }
        if let repeats = limit(account, "repeats") { settings.accountRepeats = repeats }
        if let window = account.positiveDuration("repeat_window") { settings.accountRepeatWindow = window }
        return settings
    }

    /// Limits not written fall back to `defaults` (for an override: the section's `issuer`).
    private func decodeLimits(_ section: Section, defaults: QuotaSettings.IssuerLimits) -> QuotaSettings.IssuerLimits {
        var limits = defaults
        if let perMinute = limit(section, "per_minute") { limits.perMinute = perMinute }
        if let perDay = limit(section, "per_day") { limits.perDay = perDay }
        return limits
    }

    /// A limit: a count, or `off` for none. nil when not written (or wrong, already reported);
    /// `.some(nil)` for `off`.
    private func limit(_ section: Section, _ key: String) -> Int?? {
        guard let tree = section.value(key) else { return nil }
        if Self.isOff(tree) { return .some(nil) }
        guard let count = Read.int(tree, at: section.path.key(key), in: QuotaKeys.range, log: log) else { return nil }
        return .some(count)
    }

    /// `off`, quoted or not (unquoted, YAML 1.1 reads it as false).
    static func isOff(_ tree: ConfigTree?) -> Bool {
        guard case .scalar(let scalar)? = tree else { return false }
        return scalar.kind == .boolean(false) || scalar.text.trimmingWhitespace() == "off"
    }
}
