import Contracts

/// Sums of amounts that may be in several currencies.
enum MoneyTotals {
    /// One sum per currency, sorted by currency code; empty for no amounts.
    static func byCurrency(_ amounts: [Money]) throws -> [Money] {
        let groups = Dictionary(grouping: amounts, by: \.currency)
        return try groups.keys.sorted().map { currency in
            do { return try Money.sum(groups[currency] ?? [], currency: currency) } catch {
                throw LedgerError.corruptValue(column: "amount", value: "sum in \(currency) out of range: \(error)")
            }
        }
    }
}
