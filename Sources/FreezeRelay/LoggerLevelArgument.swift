import ArgumentParser
import Logging

// Neither package is ours, and neither will declare this conformance: the CLI needs it.
// swift-format-ignore: AvoidRetroactiveConformances
extension Logger.Level: @retroactive ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
