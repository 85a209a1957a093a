import Authenticity
import Foundation
import Testing

@testable import FreezeRelay

/// The configurations shipped for Docker Compose and Kubernetes must let `run` start: they
/// name key files that exist only on a real host, so the test makes throwaway ones and points
/// a copy of each configuration at them (as deploy/validate.sh does).
@Suite("Shipped deployment configurations")
struct DeploymentConfigTests {
    static let deploy = CheckConfigCommandTests.packageRoot.appendingPathComponent("deploy")

    /// A directory holding a fresh relay key, a fresh issuer public key and a Kafka password,
    /// under the file names the deployments mount.
    func throwawayKeys() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "deploy-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SigningKey.generate().pem.write(
            to: directory.appendingPathComponent("relay-2026.key"), atomically: true, encoding: .utf8)
        try SigningKey.generate().publicKey.pem.write(
            to: directory.appendingPathComponent("almaty-police-2026.pub.pem"), atomically: true, encoding: .utf8)
        try "placeholder".write(to: directory.appendingPathComponent("password"), atomically: true, encoding: .utf8)
        return directory
    }

    /// `yaml` with every mount directory in `mounts` replaced by `keys`, written beside the keys.
    func pointed(_ yaml: String, from mounts: [String], to keys: URL) throws -> String {
        let text = mounts.reduce(yaml) { $0.replacingOccurrences(of: $1, with: keys.path + "/") }
        let copy = keys.appendingPathComponent("freeze-relay.yaml")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        return copy.path
    }

    /// What `check-config --for-run` prints for `path`; it must neither fail nor note that `run`
    /// would still refuse to start.
    func expectStartable(_ path: String) throws {
        let output = try CheckConfigCommand.parse([path, "--for-run"]).output()
        #expect(output.contains(": valid ("), "\(output)")
        #expect(!output.contains("note:"), "\(output)")
    }

    @Test("the Compose configuration passes check-config --for-run with its key files in place")
    func compose() throws {
        let keys = try throwawayKeys()
        defer { try? FileManager.default.removeItem(at: keys) }
        let yaml = try String(
            contentsOf: Self.deploy.appendingPathComponent("docker/freeze-relay.compose.yaml"), encoding: .utf8)
        try expectStartable(try pointed(yaml, from: ["/etc/freeze-relay/keys/"], to: keys))
    }

    @Test("the Kubernetes ConfigMap's configuration passes check-config --for-run with its secrets in place")
    func kubernetes() throws {
        let keys = try throwawayKeys()
        defer { try? FileManager.default.removeItem(at: keys) }
        let configMap = try String(
            contentsOf: Self.deploy.appendingPathComponent("kubernetes/configmap.yaml"), encoding: .utf8)
        let yaml = try #require(Self.embeddedFile("freeze-relay.yaml", in: configMap))
        try expectStartable(
            try pointed(yaml, from: ["/var/run/secrets/freeze-relay-signing/", "/var/run/secrets/kafka/"], to: keys))
    }

    /// The literal block `  name: |` of a ConfigMap's `data`, its four-space indentation removed.
    static func embeddedFile(_ name: String, in configMap: String) -> String? {
        let lines = configMap.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == "  \(name): |" }) else { return nil }
        let body = lines[(start + 1)...].prefix { $0.isEmpty || $0.hasPrefix("    ") }
        return body.map { $0.dropFirst(min(4, $0.count)) }.joined(separator: "\n")
    }
}
