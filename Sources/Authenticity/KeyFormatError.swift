/// Why key material could not be read. Never contains key bytes: a private key pasted into the
/// wrong place must not reach a log through its error.
public struct KeyFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
