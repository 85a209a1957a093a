import Foundation
import Ledger
import Relay

/// What the daemon did with an order from the spool.
public struct OperatorOrderResult: Sendable, Hashable, Codable {
    public var orderID: UUID
    public var outcomes: [HeldRequestOutcome]
    /// Why the order was not applied (unreadable, or the ledger failed); nil when it was.
    public var error: String?

    public init(orderID: UUID, outcomes: [HeldRequestOutcome], error: String? = nil) {
        (self.orderID, self.outcomes, self.error) = (orderID, outcomes, error)
    }
}

/// Operator orders for a running daemon, as files beside the ledger (`<ledger>.operator/`).
///
/// The daemon holds the ledger's writer lock, so an operator command cannot write the ledger
/// itself; it drops an order file here (written whole, synced, then renamed into place, so the
/// daemon never reads half of one) and signals the daemon (SIGUSR2). The daemon applies each
/// order in one transaction, writes a result file, and only then removes the order: a crash in
/// between applies it again, which changes nothing (orders about requests no longer held are
/// reported and skipped). The daemon also applies what it finds when it starts.
public struct OperatorOrderSpool: Sendable {
    public let directory: URL

    public init(ledgerPath: String) {
        directory = URL(fileURLWithPath: ledgerPath + ".operator", isDirectory: true)
    }

    static let orderSuffix = ".order.json"
    static let resultSuffix = ".result.json"

    /// Puts an order where the daemon finds it.
    public func submit(_ order: HeldRequestOrder) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try write(try Self.encoder.encode(order), as: CanonicalUUIDText.of(order.orderID) + Self.orderSuffix)
    }

    /// The order files waiting, oldest name first (each decoded, or why it could not be).
    public func pending() -> [(file: URL, order: Result<HeldRequestOrder, OrderFileError>)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(Self.orderSuffix) }.sorted().map { name in
            let file = directory.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: file), data.count <= 1 << 20 else {
                return (file, .failure(OrderFileError("cannot read \(name) (or it is over 1 MiB)")))
            }
            do {
                return (file, .success(try Self.decoder.decode(HeldRequestOrder.self, from: data)))
            } catch {
                return (file, .failure(OrderFileError("\(name) is not an operator order: \(error)")))
            }
        }
    }

    /// Records what became of an order, then removes the order file.
    public func complete(_ file: URL, with result: OperatorOrderResult) throws {
        try write(try Self.encoder.encode(result), as: CanonicalUUIDText.of(result.orderID) + Self.resultSuffix)
        try FileManager.default.removeItem(at: file)
    }

    /// The result of an order, once the daemon wrote it (and removes the result file).
    public func takeResult(of orderID: UUID) -> OperatorOrderResult? {
        let file = directory.appendingPathComponent(CanonicalUUIDText.of(orderID) + Self.resultSuffix)
        guard let data = try? Data(contentsOf: file), let result = try? Self.decoder.decode(OperatorOrderResult.self, from: data) else { return nil }
        try? FileManager.default.removeItem(at: file)
        return result
    }

    /// The id an unreadable order file is answered under: from its name when the name is an id.
    static func orderID(of file: URL) -> UUID? {
        UUID(uuidString: String(file.lastPathComponent.dropLast(orderSuffix.count)))
    }

    private func write(_ data: Data, as name: String) throws {
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw OrderFileError("cannot write \(temporary.path)")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OrderFileError("cannot move \(name) into \(directory.path): \(reason)")
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    private static let decoder = JSONDecoder()
}

/// An order file that could not be read or applied.
public struct OrderFileError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Lower-case canonical UUID text, for file names the daemon and the CLI agree on.
enum CanonicalUUIDText {
    static func of(_ id: UUID) -> String { id.uuidString.lowercased() }
}

extension RelayMaintenance {
    /// Applies every order waiting in `spool`, one transaction each. Returns the results, in order.
    public static func applyOrders(in spool: OperatorOrderSpool, ledger: Ledger, policy: RelayPolicy, clock: any RelayClock) -> [OperatorOrderResult] {
        var results: [OperatorOrderResult] = []
        for (file, parsed) in spool.pending() {
            let result: OperatorOrderResult
            switch parsed {
            case .success(let order):
                do {
                    result = OperatorOrderResult(orderID: order.orderID, outcomes: try decideHeld(order, ledger: ledger, policy: policy, clock: clock))
                } catch {
                    // The ledger failed: the order stays for the next attempt.
                    results.append(OperatorOrderResult(orderID: order.orderID, outcomes: [], error: "not applied, kept for the next attempt: \(error)"))
                    continue
                }
            case .failure(let problem):
                result = OperatorOrderResult(orderID: OperatorOrderSpool.orderID(of: file) ?? UUID(), outcomes: [], error: problem.description)
            }
            do { try spool.complete(file, with: result) } catch {
                results.append(OperatorOrderResult(orderID: result.orderID, outcomes: result.outcomes,
                                                   error: "applied, but its result could not be written: \(error)"))
                continue
            }
            results.append(result)
        }
        return results
    }
}
