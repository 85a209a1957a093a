import Foundation
import Testing

/// Runs `validate_examples.py` (Python `jsonschema`), the independent validator the Swift side is compared with.
///
/// A missing `python3` or `jsonschema` is a test failure with a clear message, never a skip:
/// CI installs both through `.ci/install-deps`.
enum PythonValidator {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One result line of `--report` (examples) or `--stdin` (documents).
    struct Result: Decodable, Sendable {
        let kind: String?
        let file: String?
        let index: Int?
        let valid: Bool
        let paths: [String]
        let messages: [String]
    }

    static func findPython() throws -> URL {
        guard let python = executableOnPath("python3") else {
            throw Failure(
                description: "python3 was not found on PATH; the contract tests need it (install with .ci/install-deps)"
            )
        }
        return python
    }

    static func run(_ arguments: [String], input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = try findPython()
        process.arguments = [TestFiles.validatorScript.path] + arguments
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent(
            "validate-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(input) }
        try inputPipe.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrText = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        if process.terminationStatus == 3 || stderrText.contains("missing Python package") {
            throw Failure(description: "Python jsonschema is not installed (run .ci/install-deps): \(stderrText)")
        }
        if data.isEmpty {
            throw Failure(
                description:
                    "validate_examples.py \(arguments) printed nothing (exit \(process.terminationStatus)): \(stderrText)"
            )
        }
        return data
    }

    /// The report for every example, computed once per test process.
    static let exampleReport: Swift.Result<[String: Result], Failure> = {
        do {
            let data = try run(["--report"])
            let results = try JSONDecoder().decode([Result].self, from: data)
            var byKey: [String: Result] = [:]
            for result in results {
                if let kind = result.kind, let file = result.file { byKey["\(kind)/\(file)"] = result }
            }
            return .success(byKey)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(description: "could not read the Python report: \(error)"))
        }
    }()

    /// Validates encoded documents; returns one result per document, in order.
    static func validate(documents: [[UInt8]]) throws -> [Result] {
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (position, document) in documents.enumerated() {
            if position > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: document)
        }
        array.append(UInt8(ascii: "]"))
        let data = try run(["--stdin"], input: Data(array))
        return try JSONDecoder().decode([Result].self, from: data)
    }
}
