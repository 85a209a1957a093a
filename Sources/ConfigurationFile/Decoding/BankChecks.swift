import Contracts

/// Checks across banks: unique ids, IBAN bank codes and BICs, and each bank's effective deadlines.
struct BankChecks {
    let log: ProblemLog

    private struct Claim {
        var value: String
        var bank: DecodedBank
        var path: ConfigPath
    }

    func check(_ banks: [DecodedBank], globalSLA: SLASettings) {
        checkIDs(banks)
        checkClaims(banks, key: "iban_bank_codes", values: \.ibanBankCodes, what: "IBAN bank code") { $0 == $1 }
        checkClaims(banks, key: "bics", values: \.bics, what: "BIC", conflict: Self.bicsConflict)
        for bank in banks {
            checkDeadlines(bank, globalSLA: globalSLA)
        }
    }

    private func checkIDs(_ banks: [DecodedBank]) {
        var first: [String: DecodedBank] = [:]
        for bank in banks where !bank.settings.id.isEmpty {
            if let earlier = first[bank.settings.id] {
                let path = bank.path.key("id")
                log.error(
                    path, log.sources[path],
                    "bank id \(Quote.text(bank.settings.id)) is already used by "
                        + "\(log.place(of: earlier.path.key("id"))); bank ids must be unique")
            } else {
                first[bank.settings.id] = bank
            }
        }
    }

    /// Reports values claimed by two banks (an error) or listed twice by one (a warning).
    private func checkClaims(
        _ banks: [DecodedBank], key: String, values: KeyPath<BankSettings, [String]>, what: String,
        conflict: (String, String) -> Bool
    ) {
        var claims: [Claim] = []
        for bank in banks {
            for (position, value) in bank.settings[keyPath: values].enumerated() {
                let path = bank.path.key(key).index(position)
                if let earlier = claims.first(where: { $0.bank.path != bank.path && conflict($0.value, value) }) {
                    let subject =
                        earlier.value == value
                        ? Quote.text(value)
                        : "\(Quote.text(value)) overlaps \(Quote.text(earlier.value)) and"
                    log.error(
                        path, log.sources[path],
                        "\(subject) is claimed by both \(earlier.bank.label) "
                            + "(\(log.place(of: earlier.path))) and \(bank.label); each \(what) must route to one bank")
                    continue
                }
                // Within one bank only exact repeats are worth a word: a bank may well list
                // both its 8-character BIC and a branch's 11-character one.
                if claims.contains(where: { $0.bank.path == bank.path && $0.value == value }) {
                    log.warning(path, log.sources[path], "\(Quote.text(value)) is listed twice for this bank")
                    continue
                }
                claims.append(Claim(value: value, bank: bank, path: path))
            }
        }
    }

    /// Two BICs conflict when equal, or when one is the 8-character form of the other's
    /// 11-character branch code: a request addressed to the branch would match both banks.
    static func bicsConflict(_ a: String, _ b: String) -> Bool {
        a == b || (a.count != b.count && a.prefix(8) == b.prefix(8))
    }

    /// Each priority's deadlines after the bank's overrides, when it overrides any.
    private func checkDeadlines(_ bank: DecodedBank, globalSLA: SLASettings) {
        for priority in Priority.allCases {
            let overrides = bank.settings.sla.overrides(for: priority)
            guard !overrides.isEmpty else { continue }
            let windows = globalSLA.windows(for: priority).applying(overrides)
            log.checkOrder(
                windows, explicit: bank.path.key("sla").key(priority.rawValue),
                inherited: ConfigPath.root.key("sla").key(priority.rawValue),
                context: "bank \(bank.label), \(priority.rawValue) priority")
        }
    }
}
