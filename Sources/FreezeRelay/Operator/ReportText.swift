import Contracts
import Foundation

/// Small formatting rules shared by the operator reports, so every command shows ids,
/// amounts and durations the same way.
enum ReportText {
    /// The first 8 characters of an id: enough to tell rows apart on a screen and to find the
    /// full id in the JSON output or the ledger.
    static func short(_ id: UUID) -> String {
        String(CanonicalUUID.string(id).prefix(8))
    }

    /// Amounts in several currencies, `500000.00 KZT + 100.00 USD`; `-` for none.
    static func amounts(_ amounts: [Money]) -> String {
        amounts.isEmpty ? "-" : amounts.map(\.description).joined(separator: " + ")
    }

    /// A duration in seconds, coarser as it grows: `2.5s`, `45s`, `12m30s`, `1h50m`, `3d04h`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 0 { return "-" + duration(-seconds) }
        if seconds < 10 && seconds.rounded() != seconds { return String(format: "%.1fs", seconds) }
        let whole = Int64(seconds.rounded())
        if whole < 120 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(pad(whole % 60))s" }
        if whole < 172_800 { return "\(whole / 3600)h\(pad(whole % 3600 / 60))m" }
        return "\(whole / 86_400)d\(pad(whole % 86_400 / 3600))h"
    }

    private static func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// A share as a percentage with one decimal, `-` when there is nothing to measure.
    static func percent(_ share: Double?) -> String {
        share.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
    }

    /// A time as RFC 3339 without the fractional part, which only clutters a table.
    static func time(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "-" }
        return Timestamp(secondsSinceEpoch: timestamp.secondsSinceEpoch).rfc3339
    }

    /// An amount as a JSON object, the way the event contracts write money.
    static func json(_ money: Money) -> [String: Any] {
        ["value": money.value, "currency": money.currency]
    }

    /// A JSON time: RFC 3339 or null.
    static func json(_ timestamp: Timestamp?) -> Any {
        timestamp?.rfc3339 ?? NSNull()
    }

    /// A JSON document with sorted keys, so output is stable for diffs and tests.
    static func jsonDocument(_ object: Any) -> String {
        do {
            let data = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        } catch {
            // Only reachable through a programming error (a value JSON cannot hold).
            preconditionFailure("report is not JSON-serializable: \(error)")
        }
    }
}
