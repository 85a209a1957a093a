import Contracts
import Foundation

/// How the console writes times, durations, amounts and shares. Pure.
enum ConsoleFormat {
    /// `2026-03-02 09:05:00Z`: seconds are enough on a screen, and the date matters for old cases.
    static func time(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "–" }
        let text = Timestamp(secondsSinceEpoch: timestamp.secondsSinceEpoch).rfc3339
        return text.replacingOccurrences(of: "T", with: " ")
    }

    /// `45 s`, `12 min 30 s`, `1 h 50 min`, `3 d 4 h`: coarser as it grows.
    static func duration(seconds: Double) -> String {
        if seconds < 0 { return "−" + duration(seconds: -seconds) }
        let whole = Int64(seconds.rounded())
        switch whole {
        case ..<120:
            return seconds < 10 && seconds != seconds.rounded() ? String(format: "%.1f s", seconds) : "\(whole) s"
        case ..<3600: return "\(whole / 60) min \(whole % 60) s"
        case ..<172_800: return "\(whole / 3600) h \(whole % 3600 / 60) min"
        default: return "\(whole / 86_400) d \(whole % 86_400 / 3600) h"
        }
    }

    /// `97.5 %`, or `–` when nothing was due yet.
    static func percent(_ share: Double?) -> String {
        share.map { String(format: "%.1f %%", $0 * 100) } ?? "–"
    }

    static func money(_ money: Money) -> String { "\(money.value) \(money.currency)" }
}
