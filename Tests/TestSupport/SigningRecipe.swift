import Foundation

/// The signing recipes of schemas/README.md (section "Signing orders"), run the way an
/// integrator would run them: tests check the relay against these independent implementations.
public enum SigningRecipe {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The ```LANGUAGE blocks of the section `## Signing orders`, in order.
    public static func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("schemas/README.md"), encoding: .utf8)
        guard let start = text.range(of: "\n## Signing orders\n") else {
            throw Failure(description: "schemas/README.md has no 'Signing orders' section")
        }
        let rest = text[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        return section.components(separatedBy: "```" + language + "\n").dropFirst().map {
            String($0.components(separatedBy: "\n```")[0])
        }
    }

    /// The README's Python functions (`sign_order`, `verify_order`) followed by `program`.
    public static func python(_ program: String) throws -> String {
        guard let snippet = try blocks("python").first else {
            throw Failure(description: "no python block in 'Signing orders'")
        }
        return snippet + "\n" + program
    }

    /// Runs `executable` (looked up on PATH) in `directory`; its trimmed stdout, or a failure with its stderr.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:]
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "\(executable) exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fresh temporary directory, for the caller to remove.
    public static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
