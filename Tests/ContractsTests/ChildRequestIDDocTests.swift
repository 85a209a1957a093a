import Contracts
import Foundation
import Testing

/// schemas/README.md tells integrators how to compute a chain request's id; the Python snippet
/// printed there, run by Python's own `uuid` module, must give the relay's ids.
@Suite("Child request ids as documented")
struct ChildRequestIDDocTests {
    static let readme = TestFiles.schemas.appendingPathComponent("README.md")

    /// The section `## Chain requests` of the schemas README.
    static func chainSection() throws -> String {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(
            text.range(of: "\n## Chain requests\n"), "schemas/README.md has no 'Chain requests' section")
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// The section's ```python block, without the list indentation it is written with.
    static func pythonSnippet() throws -> String {
        let lines = try chainSection().components(separatedBy: "\n")
        let open = try #require(
            lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "```python" }, "no python block")
        let close = try #require(
            lines[(open + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "```" },
            "python block not closed")
        let indent = lines[open].prefix { $0 == " " }.count
        return lines[(open + 1)..<close].map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
            .joined(separator: "\n")
    }

    /// Runs the README's snippet on (parent, reference) pairs and returns what it computes.
    static func python(_ pairs: [(UUID, String)]) throws -> [String] {
        let input = try JSONSerialization.data(withJSONObject: pairs.map { [CanonicalUUID.string($0.0), $0.1] })
        let program =
            try pythonSnippet() + """

                import json, sys
                for parent, reference in json.loads(sys.stdin.buffer.read().decode("utf-8")):
                    print(child_request_id(parent, reference))
                """
        let process = Process()
        process.executableURL = try PythonValidator.findPython()
        process.arguments = ["-c", program]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, stdout, stderr)
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python: \(String(decoding: errors, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("the README's Python snippet computes the relay's child request ids")
    func pythonAgrees() throws {
        let parents = ["d2366deb-28d3-52f3-a4d4-c00dd3cd3fa5", "5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10"].map {
            CanonicalUUID.parse($0)!
        }
        // References as banks send them: plain, with the separator itself, non-ASCII, with spaces.
        let references = ["KSP-TX-99120311", "a:b:c", "Перевод №17 — 05/14", " padded "]
        let pairs = parents.flatMap { parent in references.map { (parent, $0) } }
        let relay = pairs.map {
            CanonicalUUID.string(DeterministicIDs.childRequestID(parent: $0.0, transferReference: $0.1))
        }
        #expect(try Self.python(pairs) == relay)
    }

    @Test("the namespace and the worked example written in the README are the relay's")
    func writtenValues() throws {
        let section = try Self.chainSection()
        #expect(section.contains("`\(CanonicalUUID.string(DeterministicIDs.namespace))`"))
        let parent = try #require(CanonicalUUID.parse("d2366deb-28d3-52f3-a4d4-c00dd3cd3fa5"))
        let child = CanonicalUUID.string(
            DeterministicIDs.childRequestID(parent: parent, transferReference: "KSP-TX-99120311"))
        #expect(child == "5f0e3943-0954-5314-b3f7-a4f7cb503b7f")
        #expect(
            section.contains(
                "parent `d2366deb-28d3-52f3-a4d4-c00dd3cd3fa5`, reference `KSP-TX-99120311` →\n  `\(child)`"))
    }
}
