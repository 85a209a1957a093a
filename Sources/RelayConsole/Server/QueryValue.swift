import Foundation

/// A query parameter as browsers send it: forms write a space as `+` and a real `+` as `%2B`,
/// so `+` must become a space before percent-decoding, not after (a case id may hold a `+`).
enum QueryValue {
    static func named(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == Substring(name) else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            let spaced = raw.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return nil
    }
}
