import Contracts
import Foundation
import RelayTestSupport
import TestSupport

/// One record the simulated police publish on `freeze.requests`.
struct PoliceRecord: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        /// A new freeze request for an account at a participating bank.
        case request
        /// A new freeze request for an account at no participating bank.
        case unroutable
        /// An earlier good record, byte for byte.
        case exactDuplicate
        /// An earlier request's content under a new envelope id: a duplicate all the same.
        case resend
        /// An earlier request id with other content: refused, the original stands.
        case conflicting
        /// A cancel of a request whose bank never freezes or moves money.
        case cancel
        /// Bytes that are no event for this topic (cut JSON, random bytes, a bank's answer).
        case garbage
        /// A valid request published under another request's key: refused.
        case wrongKey
    }

    var kind: Kind
    var key: [UInt8]
    var value: [UInt8]

    /// Refused records must each end up on the dead-letter topic.
    var expectsDeadLetter: Bool { [.conflicting, .garbage, .wrongKey].contains(kind) }
}

/// A request the ledger must hold when the run is over.
struct ExpectedRequest: Sendable, Equatable {
    /// Where it is routed; nil for unroutable requests.
    var bank: BankID?
    /// Its state in the ledger at the end.
    var state: String
}

/// A seeded stream of police records and everything the relay must make of it, together with the
/// simulated banks' answers (`BankPlan`): which requests exist, where each is routed, how each ends.
struct CrashScenario: Sendable {
    let seed: UInt64
    /// Every timestamp in the stream and in the banks' answers, so that a replay sends the same bytes.
    let time: Timestamp
    private(set) var records: [PoliceRecord] = []
    /// Police requests (routable or not) and the follow-up requests the answers cause.
    private(set) var expectedRequests: [UUID: ExpectedRequest] = [:]
    /// The root requests police cancelled.
    private(set) var cancelled: Set<UUID> = []
    /// `bank/response_id` of every answer the simulated banks give.
    private(set) var expectedAnswers: Set<String> = []
    /// Onward transfers reported: each becomes one chain edge.
    private(set) var expectedEdges = 0

    init(seed: UInt64, recordCount: Int, time: Timestamp) {
        self.seed = seed
        self.time = time
        var random = SplitMix64(state: seed)
        var requests: [FreezeRequest] = []
        var goodRecords: [PoliceRecord] = []
        var cancellable: [UUID] = []
        var conflicted: Set<UUID> = []
        while records.count < recordCount {
            let roll = requests.isEmpty ? 0 : Int.random(in: 0..<100, using: &random)
            switch roll {
            case 55..<63:
                records.append(goodRecords.randomElement(using: &random)!.with(kind: .exactDuplicate))
            case 63..<70:
                var again = requests.randomElement(using: &random)!
                again.id = random.uuid()
                again.createdAt = time.adding(seconds: 1)
                records.append(Self.record(.resend, again))
            case 70..<74 where !Set(requests.map(\.requestID)).subtracting(conflicted).isEmpty:
                var other = requests.filter { !conflicted.contains($0.requestID) }.randomElement(using: &random)!
                conflicted.insert(other.requestID)
                other.id = random.uuid()
                other.amount = try! Money(value: "999.00", currency: "KZT")
                records.append(Self.record(.conflicting, other))
            case 74..<84 where !cancellable.isEmpty:
                let target = cancellable.remove(at: Int.random(in: 0..<cancellable.count, using: &random))
                cancelled.insert(target)
                expectedRequests[target]?.state = "cancelled"
                let cancel = FreezeCancel(
                    id: random.uuid(), createdAt: time, requestID: target, reason: "crash harness cancel",
                    issuedAt: time, issuer: Self.issuer)
                let record = PoliceRecord(kind: .cancel, key: Self.key(target), value: try! EventEncoder.encode(cancel))
                records.append(record)
                goodRecords.append(record)
            case 84..<92:
                records.append(Self.garbage(using: &random, time: time))
            case 92...:
                let request = Self.request(
                    number: records.count, code: CrashWorld.banks[0].code, time: time, using: &random)
                records.append(
                    PoliceRecord(
                        kind: .wrongKey, key: Self.key(random.uuid()), value: try! EventEncoder.encode(request)))
            default:
                let routable = !random.chance(10)
                let code = routable ? CrashWorld.banks.randomElement(using: &random)!.code : CrashWorld.outsiderCode
                let request = Self.request(number: records.count, code: code, time: time, using: &random)
                let record = Self.record(routable ? .request : .unroutable, request)
                requests.append(request)
                records.append(record)
                goodRecords.append(record)
                if routable {
                    let plan = expect(request.requestID, bank: CrashWorld.bank(ofCode: code)!, hop: 0)
                    if plan.cancellable { cancellable.append(request.requestID) }
                } else {
                    expectedRequests[request.requestID] = ExpectedRequest(bank: nil, state: "unroutable")
                }
            }
        }
    }

    /// Records a routed request, its answers and (recursively) the follow-up requests they cause.
    @discardableResult
    private mutating func expect(_ requestID: UUID, bank: BankID, hop: Int) -> BankPlan {
        let plan = BankPlan.of(requestID, hop: hop, seed: seed, at: time)
        expectedRequests[requestID] = ExpectedRequest(bank: bank, state: plan.finalState)
        for status in plan.statuses { expectedAnswers.insert("\(bank)/\(Self.responseID(bank, status, requestID))") }
        if case .moveFunds(let transfers) = plan { expectedEdges += transfers.count }
        for child in plan.children(of: requestID) { expect(child.id, bank: child.bank, hop: hop + 1) }
        return plan
    }

    /// The `response_id` a bank gives its answer of `status` about a request.
    static func responseID(_ bank: BankID, _ status: BankResponseStatus, _ requestID: UUID) -> String {
        "\(bank)-\(status.rawValue)-\(CanonicalUUID.string(requestID))"
    }

    static let issuer = Issuer(agency: "Crash Harness Police", officerID: "CH-1")

    static func key(_ requestID: UUID) -> [UInt8] { Array(CanonicalUUID.string(requestID).utf8) }

    static func record(_ kind: PoliceRecord.Kind, _ request: FreezeRequest) -> PoliceRecord {
        PoliceRecord(kind: kind, key: key(request.requestID), value: try! EventEncoder.encode(request))
    }

    static func request(number: Int, code: String, time: Timestamp, using random: inout SplitMix64) -> FreezeRequest {
        FreezeRequest(
            id: random.uuid(), createdAt: time, requestID: random.uuid(), caseID: "CRASH-\(number)", issuedAt: time,
            priority: random.chance(50) ? .urgent : .normal, issuer: issuer,
            legalBasis: "Crash harness decision \(number)",
            account: TargetAccount(
                iban: kzIBAN(bank: code, account: Int.random(in: 1...2_000_000_000, using: &random))),
            amount: try! Money(value: "1000.00", currency: "KZT"),
            fraudTransaction: FraudTransaction(occurredAt: time, reference: "VICTIM-\(number)"))
    }

    /// Cut JSON, random bytes, or a bank's answer where police requests belong.
    static func garbage(using random: inout SplitMix64, time: Timestamp) -> PoliceRecord {
        let bytes: [UInt8]
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            let whole = try! EventEncoder.encode(request(number: 0, code: "125", time: time, using: &random))
            bytes = Array(whole.prefix(Int.random(in: 1..<whole.count - 1, using: &random)))
        case 1:
            bytes = (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        default:
            let answer = BankResponse(
                id: random.uuid(), createdAt: time, responseID: "misplaced", requestID: random.uuid(),
                status: .acknowledged, respondedAt: time)
            bytes = try! EventEncoder.encode(answer)
        }
        return PoliceRecord(kind: .garbage, key: key(random.uuid()), value: bytes)
    }
}

extension PoliceRecord {
    func with(kind: Kind) -> PoliceRecord {
        PoliceRecord(kind: kind, key: key, value: value)
    }
}
