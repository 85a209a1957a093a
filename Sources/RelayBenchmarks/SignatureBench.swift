import Authenticity
import Contracts
import Foundation

/// The cost of authenticity per order, on one core: the issuer registry judging a signed police
/// request (parse the header, verify Ed25519 over the record's value, check the key and agency),
/// and the relay signing a routed request as the publisher does.
enum SignatureBench {
    static func run(count: Int, at time: Timestamp) throws {
        let police = SigningKey.generate()
        let registry = try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(
                    id: "bench-police", agencies: [Bench.request(index: 0, at: time).issuer.agency],
                    keys: [.init(keyID: "bench-1", key: police.publicKey)])
            ])
        let orders = try (0..<count).map { index -> (value: [UInt8], signature: [UInt8], request: FreezeRequest) in
            let request = Bench.request(index: index, at: time)
            let value = try EventEncoder.encode(request)
            return (value, Array(try DetachedJWS.sign(value, with: police, keyID: "bench-1").utf8), request)
        }
        var verified = 0
        let judged = ContinuousClock.now
        for order in orders {
            if case .verified = registry.judge(
                signature: order.signature, payload: order.value, agency: order.request.issuer.agency,
                issuedAt: order.request.issuedAt)
            {
                verified += 1
            }
        }
        let judging = Bench.seconds(ContinuousClock.now - judged)
        guard verified == count else { throw BenchError("only \(verified) of \(count) signed orders verified") }
        report(
            "signatures: judge a signed police order (EdDSA verify, \(orders.first?.value.count ?? 0) bytes)",
            String(format: "%.1f µs per order", judging / Double(count) * 1e6))

        let signer = try RelaySigner(keyID: "relay-bench", key: SigningKey.generate())
        let signed = ContinuousClock.now
        var bytes = 0
        for order in orders { bytes += signer.signature(for: order.value).utf8.count }
        let signing = Bench.seconds(ContinuousClock.now - signed)
        report(
            "signatures: the relay signs a routed request (EdDSA)",
            String(format: "%.1f µs per event (%d bytes of headers)", signing / Double(count) * 1e6, bytes / count))
    }
}
