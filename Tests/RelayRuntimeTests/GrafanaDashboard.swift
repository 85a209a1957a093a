import Foundation

/// The parts of a Grafana dashboard JSON the tests judge. Decoding fails, naming the key path,
/// when a panel lacks its id or gridPos or a target its `expr`.
struct GrafanaDashboard: Decodable {
    struct GridPos: Decodable, Equatable {
        var h: Int
        var w: Int
        var x: Int
        var y: Int

        func overlaps(_ other: GridPos) -> Bool {
            x < other.x + other.w && other.x < x + w && y < other.y + other.h && other.y < y + h
        }
    }

    struct DataSourceRef: Decodable, Equatable {
        var type: String?
        var uid: String?
    }

    struct Target: Decodable {
        var refId: String
        var expr: String
        var datasource: DataSourceRef?
    }

    struct Panel: Decodable {
        var id: Int
        var type: String
        var title: String
        var gridPos: GridPos
        var datasource: DataSourceRef?
        var targets: [Target]?
        /// A row's panels (when the row is collapsed Grafana keeps them here).
        var panels: [Panel]?
    }

    struct Variable: Decodable {
        var name: String
        var type: String
        var query: QueryText?
    }

    /// A variable's query: a string, or (newer Grafana) an object holding it under `query`.
    struct QueryText: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.text = text
            } else {
                self.text = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .query)
            }
        }

        private enum Key: String, CodingKey { case query }
    }

    struct Templating: Decodable {
        var list: [Variable]
    }

    var uid: String
    var title: String
    var schemaVersion: Int
    var panels: [Panel]
    var templating: Templating

    /// The dashboard shipped in deploy/grafana.
    static let shippedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/grafana/freeze-relay-dashboard.json")

    static func shipped() throws -> GrafanaDashboard {
        try JSONDecoder().decode(GrafanaDashboard.self, from: Data(contentsOf: shippedPath))
    }

    /// Every panel, rows' children included.
    var allPanels: [Panel] {
        func flatten(_ panels: [Panel]) -> [Panel] { panels.flatMap { [$0] + flatten($0.panels ?? []) } }
        return flatten(panels)
    }

    /// Every PromQL expression: panel targets and query variables, each with where it is.
    var queries: [(place: String, expr: String)] {
        allPanels.flatMap { panel in
            (panel.targets ?? []).map { ("panel \(panel.id) \"\(panel.title)\" \($0.refId)", $0.expr) }
        }
            + templating.list.compactMap { variable in
                guard variable.type == "query", let query = variable.query else { return nil }
                return ("variable \(variable.name)", query.text)
            }
    }
}

/// What a PromQL expression names, read the way the dashboard writes them (enough for its
/// queries, not a PromQL parser): metric names, `by (…)` labels and selector labels.
enum PromQLNames {
    /// Labels Prometheus attaches at scrape time: absent from /metrics by design.
    static let scrapeLabels: Set<String> = ["job", "instance"]

    /// `expr` with every quoted string emptied, so that label values are not read as names.
    private static func unquoted(_ expr: String) -> String {
        expr.replacing(#/"(?:[^"\\]|\\.)*"/#, with: "\"\"")
    }

    /// The relay's metric names the expression uses, as written (`_bucket` and the like kept).
    static func metrics(in expr: String) -> Set<String> {
        Set(unquoted(expr).matches(of: #/freeze_relay_[A-Za-z0-9_]+/#).map { String($0.output) })
    }

    /// The labels of every `by (…)` clause in the expression (and of `label_values(…, label)`).
    static func groupingLabels(in expr: String) -> Set<String> {
        let text = unquoted(expr)
        let clauses =
            text.matches(of: #/\bby\s*\(([^)]*)\)/#).map { String($0.output.1) }
            + text.matches(of: #/label_values\([^,]*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/#).map { String($0.output.1) }
        return Set(
            clauses.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter {
                !$0.isEmpty
            })
    }

    /// For each metric written with a selector (`name{label=~"…"}`), the labels it matches on.
    static func selectorLabels(in expr: String) -> [String: Set<String>] {
        var labels: [String: Set<String>] = [:]
        for match in unquoted(expr).matches(of: #/(freeze_relay_[A-Za-z0-9_]+)\s*\{([^}]*)\}/#) {
            let names = match.output.2.matches(of: #/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/#).map {
                String($0.output.1)
            }
            labels[String(match.output.1), default: []].formUnion(names)
        }
        return labels
    }
}

/// The series a Prometheus text exposition holds: which names have samples, with which labels,
/// and the declared type of each family.
struct Exposition {
    /// Family name → type, from the `# TYPE` lines.
    let types: [String: String]
    /// Sample name (`_bucket`, `_sum`, `_count` for histograms) → every label any of its samples has.
    let labels: [String: Set<String>]

    init(_ text: String) throws {
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
        }
        self.types = types
        labels = try parsePrometheus(text).reduce(into: [:]) { labels, sample in
            labels[sample.name, default: []].formUnion(sample.labels.keys)
        }
    }

    /// The family a sample name belongs to: a histogram's `_bucket`, `_sum` and `_count` belong
    /// to the histogram, anything else to itself.
    func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return name
    }

    /// Why a query cannot use `name`, or nil when it can: its family must be declared and the
    /// name itself must have samples (a bare histogram name has none: it needs a suffix).
    func problem(with name: String) -> String? {
        let family = family(of: name)
        guard types[family] != nil else { return "\(name): no family \(family) in /metrics" }
        guard labels[name] != nil else {
            return "\(name): family \(family) (\(types[family]!)) has no series of that name"
        }
        return nil
    }
}
