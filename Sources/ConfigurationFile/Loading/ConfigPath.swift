/// A key path inside the configuration, such as `banks[2].sla.urgent.acknowledge`.
struct ConfigPath: Hashable, CustomStringConvertible {
    enum Component: Hashable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    static let root = ConfigPath()

    func key(_ name: String) -> ConfigPath {
        ConfigPath(components: components + [.key(name)])
    }

    func index(_ position: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(position)])
    }

    /// `a.b[2].c`; keys that contain dots (librdkafka property names) are written as-is.
    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let position): text += "[\(position)]"
            }
        }
        return text
    }
}
