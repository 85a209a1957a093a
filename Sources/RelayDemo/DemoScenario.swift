import Authenticity
import Contracts
import Foundation
import Relay

/// The demo's illustrative world: five banks with different habits, a money trail for a
/// multi-hop case, and what the simulated police send.
package enum DemoScenario {
    package struct DemoBank {
        package let id: String
        package let name: String
        package let code: String
        package let behaviour: BankBehaviour
    }

    package static let banks = [
        DemoBank(id: "kaspi", name: "Kaspi Bank (simulated, prompt)", code: "722", behaviour: .prompt),
        DemoBank(id: "halyk", name: "Halyk Bank (simulated, slow)", code: "601", behaviour: .slow),
        DemoBank(id: "forte", name: "ForteBank (simulated, silent)", code: "996", behaviour: .silent),
        DemoBank(id: "jusan", name: "Jusan Bank (simulated, money moved on)", code: "998", behaviour: .movesMoney),
        DemoBank(id: "bcc", name: "Bank CenterCredit (simulated, prompt)", code: "856", behaviour: .prompt),
    ]

    /// A bank code no participating bank has: requests there are unroutable, transfers there exit.
    package static let outsiderCode = "555"

    package static func account(_ code: String, _ number: Int) -> IBAN {
        try! IBAN(countryCode: "KZ", bban: code + String(format: "%013d", number))
    }

    /// The demo police's agency, and the key id its signatures name.
    package static let agency = "Almaty City Police (demo)"
    package static let policeKeyID = "demo-police-1"

    /// Orders are judged as the shipped configuration does (`require`): the simulated police
    /// sign with `policeKey`, generated for this run; nothing else can order a freeze.
    package static func issuers(policeKey: VerificationKey) throws -> IssuerRegistry {
        try IssuerRegistry(
            policy: .require,
            issuers: [
                .init(id: "almaty-police-demo", agencies: [agency], keys: [.init(keyID: policeKeyID, key: policeKey)])
            ])
    }

    package static func policy(timeScale: Double, policeKey: VerificationKey) throws -> RelayPolicy {
        func seconds(_ value: Double) -> Duration { .milliseconds(Int64(value * timeScale * 1000)) }
        let profiles = banks.map { bank in
            BankProfile(
                id: try! BankID(bank.id), name: bank.name, ibanBankCodes: ["KZ\(bank.code)"],
                escalationContact: Contact(name: "\(bank.id) fraud desk (demo)", email: "fraud-desk@\(bank.id).example")
            )
        }
        return RelayPolicy(
            routing: try RoutingTable(banks: profiles),
            sla: SLAPolicy(
                defaults: [
                    .urgent: ResponseTimes(acknowledge: seconds(5), freeze: seconds(15)),
                    .normal: ResponseTimes(acknowledge: seconds(10), freeze: seconds(30)),
                ],
                escalationSteps: [seconds(10), seconds(20)], holdWarning: seconds(30)),
            chain: ChainLimits(maxHops: 4, maxChildrenPerAnswer: 10),
            topics: try TopicNames(),
            issuers: try issuers(policeKey: policeKey),
            accountLinks: AccountLinkPolicy(window: AccountLinkPolicy.defaultWindow))
    }

    /// The stolen money of case DEMO-CHAIN: from the victim's transfer into a jusan account,
    /// on to kaspi and to a second jusan account, from there to halyk, a crypto wallet, an
    /// outside bank, and back into the kaspi account (a join).
    package static let chainStart = account("998", 1001)
    /// The kaspi account DEMO-CHAIN's money moves into, which a second victim's case (DEMO-MULE)
    /// names too: the relay links the two cases.
    package static let kaspiMule = account("722", 2002)
    package static let trail: MoneyTrail = {
        let time = Timestamp(Date())
        func money(_ value: String) -> Money { try! Money(value: value, currency: "KZT") }
        func toAccount(_ iban: IBAN, _ value: String, _ reference: String) -> OnwardTransfer {
            OnwardTransfer(
                destination: .iban(IBANDestination(iban: iban)), amount: money(value), occurredAt: time,
                reference: reference)
        }
        let kaspiMule = Self.kaspiMule
        let jusanMule = account("998", 3003)
        let halykMule = account("601", 4004)
        return [
            chainStart: [
                toAccount(kaspiMule, "700000.00", "JSN-TX-1"), toAccount(jusanMule, "1100000.00", "JSN-TX-2"),
            ],
            jusanMule: [
                toAccount(halykMule, "400000.00", "JSN-TX-3"),
                OnwardTransfer(
                    destination: .cryptoWallet(
                        CryptoWalletDestination(
                            network: "TRON", address: "TXq8demoWalletAddressForTheDemo01", exchange: "ExampleEx")),
                    amount: money("500000.00"), occurredAt: time, reference: "JSN-TX-4"),
                toAccount(account(outsiderCode, 5005), "150000.00", "JSN-TX-5"),
                toAccount(kaspiMule, "50000.00", "JSN-TX-6"),
            ],
        ]
    }()

    /// What the simulated police publish, in order: plain requests to every bank, the chain,
    /// an unroutable account, a second victim's case naming the chain's kaspi mule, and a few
    /// broken records.
    package static func policeRequests(now: Timestamp) -> [FreezeRequest] {
        var requests: [FreezeRequest] = []
        func request(_ iban: IBAN, case caseID: String, amount: String, priority: Priority = .urgent) -> FreezeRequest {
            let id = UUID()
            return FreezeRequest(
                id: UUID(), createdAt: now, requestID: id, caseID: caseID, issuedAt: now, priority: priority,
                issuer: Issuer(agency: agency, unit: "Cybercrime", officerID: "DEMO-7"),
                legalBasis: "Demo decision No. \(caseID)", account: TargetAccount(iban: iban),
                amount: try! Money(value: amount, currency: "KZT"),
                fraudTransaction: FraudTransaction(
                    occurredAt: now.adding(seconds: -1800), reference: "VICTIM-\(caseID)"))
        }
        requests.append(request(chainStart, case: "DEMO-CHAIN", amount: "1800000.00"))
        for (index, bank) in banks.enumerated() where bank.behaviour != .movesMoney {
            requests.append(
                request(
                    account(bank.code, 100 + index), case: "DEMO-\(100 + index)", amount: "\(200 + index * 50)000.00",
                    priority: index % 2 == 0 ? .urgent : .normal))
        }
        requests.append(request(account(outsiderCode, 9009), case: "DEMO-UNROUTABLE", amount: "90000.00"))
        requests.append(request(kaspiMule, case: "DEMO-MULE", amount: "120000.00"))
        return requests
    }
}
