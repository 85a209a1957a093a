import Foundation
import Testing

/// Locations in the package, found from this source file so tests work from any working directory.
enum TestFiles {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // ContractsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let schemas = packageRoot.appendingPathComponent("schemas")
    static let examples = schemas.appendingPathComponent("examples")
    static let validatorScript = packageRoot.appendingPathComponent("Tests/ContractsTests/validate_examples.py")

    /// One example file: `kind/type/name.json`.
    struct Example: Sendable, CustomTestStringConvertible {
        let kind: String
        let type: String
        let name: String
        let url: URL

        /// `type/name.json`, the key used by `expected-errors.json` and the Python report.
        var key: String { "\(type)/\(name)" }
        var testDescription: String { "\(kind)/\(key)" }
        var bytes: [UInt8] { (try? [UInt8](Data(contentsOf: url))) ?? [] }
    }

    static func examples(_ kind: String) -> [Example] {
        let base = examples.appendingPathComponent(kind)
        let fileManager = FileManager.default
        let types = ((try? fileManager.contentsOfDirectory(atPath: base.path)) ?? []).sorted()
        var result: [Example] = []
        for type in types {
            let directory = base.appendingPathComponent(type)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
            else { continue }
            for name in ((try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            where name.hasSuffix(".json") {
                result.append(Example(kind: kind, type: type, name: name, url: directory.appendingPathComponent(name)))
            }
        }
        return result
    }

    /// `schemas/examples/invalid/expected-errors.json`: example key → field path.
    static let expectedErrors: [String: String] = {
        let url = examples.appendingPathComponent("invalid/expected-errors.json")
        guard let data = try? Data(contentsOf: url),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else { return [:] }
        return object
    }()
}
