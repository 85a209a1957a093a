/// A location inside a JSON document, printed the way integrators read it: `onward_transfers[2].amount.value`.
///
/// Every field a reader looks at gets a path, but only a refused one is ever printed, so appending must
/// not allocate: the last component is kept apart from the shared list of the ones before it, and
/// ``settled`` moves it into that list once per object rather than once per field.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// All components but `last`; shared by the paths of sibling fields.
    private var leading: [Component]
    private var last: Component?

    static let root = FieldPath(components: [])

    init(components: [Component]) {
        leading = components
        last = nil
    }

    /// Every component, outermost first.
    var components: [Component] {
        guard let last else { return leading }
        return leading + [last]
    }

    /// The same path, shaped so that appending to it does not allocate.
    var settled: FieldPath {
        last == nil ? self : FieldPath(components: components)
    }

    func appending(_ key: String) -> FieldPath {
        appending(.key(key))
    }

    func appending(index: Int) -> FieldPath {
        appending(.index(index))
    }

    private func appending(_ component: Component) -> FieldPath {
        var path = settled
        path.last = component
        return path
    }

    var description: String {
        var text = ""
        for component in leading { Self.append(component, to: &text) }
        if let last { Self.append(last, to: &text) }
        return text
    }

    private static func append(_ component: Component, to text: inout String) {
        switch component {
        case .key(let key):
            if !text.isEmpty { text += "." }
            text += key
        case .index(let index):
            text += "[\(index)]"
        }
    }

    static func == (lhs: FieldPath, rhs: FieldPath) -> Bool {
        lhs.components == rhs.components
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(components)
    }
}
