/// Typed reads of single values, each reporting what is wrong with the value's path and source.
///
/// YAML scalars must have the right type (a quoted `"8"` is not an integer, `enabled: maybe`
/// is not a boolean); text from environment variables and flags is interpreted per key.
enum Read {
    static func string(_ tree: ConfigTree, at path: ConfigPath, log: ProblemLog) -> String? {
        if case .scalar(let scalar) = tree, scalar.kind == .string || scalar.kind == .text {
            return scalar.text
        }
        log.error(path, tree.source, "expected a string, found \(tree.kindDescription)" + quoteHint(tree))
        return nil
    }

    /// A string that must not be empty or blank.
    static func nonEmptyString(_ tree: ConfigTree, at path: ConfigPath, log: ProblemLog) -> String? {
        guard let text = string(tree, at: path, log: log) else { return nil }
        guard !text.trimmingWhitespace().isEmpty else {
            log.error(path, tree.source, "must not be empty")
            return nil
        }
        return text
    }

    static func int(_ tree: ConfigTree, at path: ConfigPath, in range: ClosedRange<Int>, log: ProblemLog) -> Int? {
        guard case .scalar(let scalar) = tree, scalar.kind == .integer || scalar.kind == .text else {
            log.error(path, tree.source, "expected a whole number, found \(tree.kindDescription)")
            return nil
        }
        // YAML allows 1_000 as a readable integer; hexadecimal and octal forms are refused
        // because nobody writes a batch size that way on purpose.
        guard let value = Int(scalar.text.trimmingWhitespace().filter { $0 != "_" }) else {
            log.error(path, tree.source, "expected a whole number, found \(Quote.text(scalar.text))")
            return nil
        }
        guard range.contains(value) else {
            log.error(path, tree.source, "must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    static func bool(_ tree: ConfigTree, at path: ConfigPath, log: ProblemLog) -> Bool? {
        if case .scalar(let scalar) = tree {
            if case .boolean(let value) = scalar.kind { return value }
            if scalar.kind == .text {
                switch scalar.text.lowercased() {
                case "true", "yes", "on": return true
                case "false", "no", "off": return false
                default: break
                }
            }
            if scalar.kind == .string || scalar.kind == .text {
                log.error(path, tree.source, "expected true or false, found \(Quote.text(scalar.text))")
                return nil
            }
        }
        log.error(path, tree.source, "expected true or false, found \(tree.kindDescription)")
        return nil
    }

    /// A duration such as `15m`; integers are read as text so that `300` gets the
    /// "missing unit" explanation rather than a type error.
    static func duration(_ tree: ConfigTree, at path: ConfigPath, log: ProblemLog) -> Duration? {
        guard case .scalar(let scalar) = tree, [.string, .text, .integer, .float].contains(scalar.kind) else {
            log.error(path, tree.source, "expected a duration such as 15m or 1h30m, found \(tree.kindDescription)")
            return nil
        }
        do {
            return try DurationText.parse(scalar.text)
        } catch {
            log.error(path, tree.source, error.description)
            return nil
        }
    }

    /// A size such as `256MiB` or a plain number of bytes, within `range`.
    static func byteSize(_ tree: ConfigTree, at path: ConfigPath, in range: ClosedRange<Int64>, log: ProblemLog)
        -> Int64?
    {
        guard case .scalar(let scalar) = tree, [.string, .text, .integer].contains(scalar.kind) else {
            log.error(path, tree.source, "expected a size such as 256MiB, found \(tree.kindDescription)")
            return nil
        }
        switch ByteSizeText.parse(scalar.text.filter { $0 != "_" }) {
        case .failure(let error):
            log.error(path, tree.source, error.description)
            return nil
        case .success(let bytes) where !range.contains(bytes):
            log.error(
                path, tree.source,
                "must be between \(ByteSizeText.format(range.lowerBound)) and "
                    + "\(ByteSizeText.format(range.upperBound)), found \(ByteSizeText.format(bytes))")
            return nil
        case .success(let bytes):
            return bytes
        }
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ tree: ConfigTree, at path: ConfigPath, as type: Choice.Type, log: ProblemLog
    ) -> Choice? where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = tree, [.string, .text].contains(scalar.kind) else {
            log.error(
                path, tree.source, "expected one of \(names.joined(separator: ", ")), found \(tree.kindDescription)")
            return nil
        }
        if let choice = Choice(rawValue: scalar.text) { return choice }
        log.error(
            path, tree.source,
            "\(Quote.text(scalar.text)) is not one of \(names.joined(separator: ", "))"
                + Suggestions.hint(for: scalar.text, among: names))
        return nil
    }

    /// A list whose items `item` reads (returning `nil` for items it reported).
    static func list<Item>(
        _ tree: ConfigTree, at path: ConfigPath, log: ProblemLog,
        item: (ConfigTree, ConfigPath) -> Item?
    ) -> [Item]? {
        guard case .sequence(let sequence) = tree else {
            log.error(
                path, tree.source, "expected a list (e.g. [a, b] or \"- a\" lines), found \(tree.kindDescription)")
            return nil
        }
        var items: [Item] = []
        var allGood = true
        for (position, element) in sequence.items.enumerated() {
            let itemPath = path.index(position)
            if let source = element.source { log.sources[itemPath] = source }
            if let value = item(element, itemPath) { items.append(value) } else { allGood = false }
        }
        return allGood ? items : nil
    }

    /// For scalars YAML typed as something else, how to write them as a string.
    private static func quoteHint(_ tree: ConfigTree) -> String {
        guard case .scalar(let scalar) = tree, scalar.kind != .null, scalar.kind != .other else { return "" }
        return "; quote it if a string is meant"
    }
}
