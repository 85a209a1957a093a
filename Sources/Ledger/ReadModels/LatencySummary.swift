/// The spread of a set of durations, in seconds.
public struct LatencySummary: Sendable, Hashable {
    /// How many durations were measured.
    public var count: Int
    /// The middle value.
    public var median: Double
    /// The value 95 % of the durations are at or below.
    public var p95: Double

    public init(count: Int, median: Double, p95: Double) {
        self.count = count
        self.median = median
        self.p95 = p95
    }

    /// The summary of `seconds`; nil when there are none. Percentiles interpolate linearly
    /// between the two nearest ranks (rank = p × (n − 1) over the sorted values), so the median of
    /// an even count is the mean of the middle two.
    public init?(seconds: [Double]) {
        guard !seconds.isEmpty else { return nil }
        let sorted = seconds.sorted()
        self.init(
            count: sorted.count, median: Self.percentile(0.5, ofSorted: sorted),
            p95: Self.percentile(0.95, ofSorted: sorted))
    }

    /// The `p`-quantile (0…1) of values sorted ascending, which must not be empty.
    static func percentile(_ p: Double, ofSorted values: [Double]) -> Double {
        let rank = p * Double(values.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Int(rank.rounded(.up))
        return values[lower] + (values[upper] - values[lower]) * (rank - Double(lower))
    }
}
