import EmbeddedKafka
import Foundation
import RelayKafka
import Testing

/// Runs a command with optional stdin and returns its stdout; fails the test with stderr when it fails.
func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandFailed(
            command: "\(executable) \(arguments.joined(separator: " "))", status: process.terminationStatus,
            stderr: String(decoding: err, as: UTF8.self))
    }
    return String(decoding: out, as: UTF8.self)
}

struct CommandFailed: Error, CustomStringConvertible {
    let command: String, status: Int32, stderr: String
    var description: String { "\(command) exited \(status): \(stderr)" }
}

@Suite("The embedded broker serves independent clients")
struct IndependentClientTests {
    @Test("topic specs parse as name:partitions")
    func topicSpecs() {
        #expect(EmbeddedBroker.TopicSpec(parsing: "t:3") == EmbeddedBroker.TopicSpec(name: "t", partitions: 3))
        #expect(
            EmbeddedBroker.TopicSpec(parsing: "freeze.requests")
                == EmbeddedBroker.TopicSpec(name: "freeze.requests", partitions: 1))
        #expect(EmbeddedBroker.TopicSpec(parsing: "t:0") == nil)
        #expect(EmbeddedBroker.TopicSpec(parsing: ":3") == nil)
        #expect(EmbeddedBroker.TopicSpec(parsing: "t:x") == nil)
        #expect(EmbeddedBroker.TopicSpec(parsing: "t:1:2") == nil)
    }

    @Test("kcat produces, consumes and group-consumes through the forwarded bootstrap port")
    func kcatThroughForwardedPort() async throws {
        let broker = try EmbeddedBroker(
            brokers: 1, port: 0, topics: [.init(name: "t", partitions: 3)], logger: testLogger)
        defer { broker.close() }
        let bootstrap = broker.bootstrapServers
        #expect(bootstrap.hasPrefix("127.0.0.1:"))
        #expect(!broker.cluster.bootstrapServers.contains(bootstrap), "the bootstrap port is the forwarder's own")

        let metadata = try run("kcat", ["-b", bootstrap, "-L", "-t", "t"])
        #expect(metadata.contains("topic \"t\" with 3 partitions"))

        _ = try run(
            "kcat", ["-b", bootstrap, "-P", "-t", "t", "-K", ":", "-H", "source=kcat"],
            stdin: "k1:one\nk2:two\nk3:three\n")
        let consumed = try run("kcat", ["-b", bootstrap, "-C", "-t", "t", "-o", "beginning", "-e", "-f", "%k=%s\\n"])
        #expect(Set(consumed.split(separator: "\n")) == ["k1=one", "k2=two", "k3=three"])

        let grouped = try run(
            "kcat",
            [
                "-b", bootstrap, "-G", uniqueName("kcat"), "-X", "auto.offset.reset=earliest", "-c", "3", "-f",
                "%k=%s\\n", "t",
            ])
        #expect(Set(grouped.split(separator: "\n")) == ["k1=one", "k2=two", "k3=three"])

        // And what kcat wrote, a Swift consumer reads, headers included.
        let consumer = try KafkaConsumer(
            configuration: fastGroupConfiguration(bootstrap), groupID: uniqueName("swift"), logger: testLogger)
        defer { try? consumer.close() }
        try consumer.subscribe(["t"])
        let messages = try await collect(from: consumer) { $0.count >= 3 }
        #expect(messages.allSatisfy { $0.header("source")?.stringValue == "kcat" })
    }
}
