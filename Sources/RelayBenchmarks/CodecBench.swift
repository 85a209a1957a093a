import Contracts
import Foundation

/// Per-event cost of the event codec, without Kafka or SQLite: what intake pays to decode a police
/// message or a bank answer, to encode the events it emits, and to fingerprint a request.
///
/// `--codec-iterations N` sets the timed loop (after a fixed warm-up of 200), `--codec-case a,b`
/// runs only some cases. Because the warm-up and set-up are fixed, the instruction count of one
/// event is `(Ir(N2) - Ir(N1)) / (N2 - N1)` between two callgrind runs of the same case.
enum CodecBench {
    /// A police `freeze_request` with every optional field, non-ASCII holder name included.
    static let policeRequest =
        #"{"type":"freeze_request","version":1,"id":"fccbf2df-efa8-5d73-990f-ea69a89e5ad3","created_at":"2024-05-14T09:12:03.512Z","request_id":"d2366deb-28d3-52f3-a4d4-c00dd3cd3fa5","case_id":"ERDR-247500031000123","issued_at":"2024-05-14T09:11:40Z","priority":"urgent","issuer":{"agency":"Almaty City Police Department","unit":"Cybercrime Unit","officer_id":"ALM-04512"},"legal_basis":"Resolution of the investigator on seizure of property No. 247500031000123/1 of 14.05.2024 (Art. 161 CPC RK)","account":{"iban":"KZ84722C000012345678","holder_name":"Ержан Сапаров","national_id":"900101300123"},"amount":{"value":"1250000.00","currency":"KZT"},"fraud_transaction":{"occurred_at":"2024-05-14T07:45:12Z","reference":"HB-20240514-0073321","description":"Victim transferred savings after a call from a fake 'bank security officer'."},"requested_hold_hours":72}"#

    /// A `partially_frozen` bank answer with three onward transfers (two accounts, one wallet).
    static let bankAnswer =
        #"{"type":"bank_response","version":1,"id":"11588822-75c8-52bc-bca8-5a8d61ac7255","created_at":"2024-05-14T09:20:00Z","response_id":"KASPI-RESP-PFZ","request_id":"d2366deb-28d3-52f3-a4d4-c00dd3cd3fa5","status":"partially_frozen","responded_at":"2024-05-14T09:19:58Z","frozen_amount":{"value":"200000.00","currency":"KZT"},"hold_until":"2024-05-17T09:19:58Z","reason":"Part of the funds left before the request arrived.","onward_transfers":[{"destination":{"kind":"iban","iban":"KZ69998P000987654321","bic":"TSESKZKA","bank_name":"Jusan Bank","holder_name":"Dauren Akhmetov"},"amount":{"value":"600000.00","currency":"KZT"},"occurred_at":"2024-05-14T08:01:55Z","reference":"KSP-TX-99120311"},{"destination":{"kind":"iban","iban":"DE89370400440532013000"},"amount":{"value":"150000.00","currency":"KZT"},"occurred_at":"2024-05-14T08:05:00Z","reference":"KSP-TX-99120377"},{"destination":{"kind":"crypto_wallet","network":"TRON","address":"TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE","exchange":"Binance"},"amount":{"value":"300000.00","currency":"KZT"},"occurred_at":"2024-05-14T08:10:31Z","reference":"KSP-P2P-5512"}]}"#

    struct Case {
        var name: String
        var label: String
        /// One event's work; returns a number derived from the output so none of it is optimised away.
        var body: () throws -> Int
    }

    static func cases() throws -> [Case] {
        let requestBytes = Array(policeRequest.utf8)
        let answerBytes = Array(bankAnswer.utf8)
        guard case .request(let request) = try EventDecoder.decodePoliceMessage(requestBytes) else {
            throw BenchError("the sample police message is not a freeze_request")
        }
        let routedAt = request.createdAt.adding(seconds: 1)
        let bank = try BankID("kaspi")
        let eventID = UUIDv5.make(namespace: request.requestID, name: "bench")
        return [
            Case(name: "a", label: "decode freeze_request (\(requestBytes.count) B)") {
                guard case .request(let decoded) = try EventDecoder.decodePoliceMessage(requestBytes) else { return 0 }
                return decoded.caseID.utf8.count
            },
            Case(name: "b", label: "decode bank_response, 3 onward transfers (\(answerBytes.count) B)") {
                try EventDecoder.decodeBankResponse(answerBytes).onwardTransfers.count
            },
            Case(name: "c1", label: "build + encodeTrusted routed_request") {
                let routed = RoutedRequest(
                    routing: request, id: eventID, createdAt: routedAt, bankID: bank,
                    acknowledgeBy: routedAt.adding(seconds: 900), freezeBy: routedAt.adding(seconds: 3600))
                return try EventEncoder.encodeTrusted(.routedRequest(routed)).count
            },
            Case(name: "c2", label: "build + encodeTrusted request_status (routed)") {
                let status = RequestStatus(
                    id: eventID, createdAt: routedAt, requestID: request.requestID, caseID: request.caseID,
                    bankID: bank, status: .routed, detail: "Routed to Kaspi Bank.", causedBy: request.id)
                return try EventEncoder.encodeTrusted(.requestStatus(status)).count
            },
            Case(name: "d", label: "ContentFingerprint of the freeze_request") {
                ContentFingerprint(request).digest.count
            },
        ]
    }

    static func run(iterations: Int, only: Set<String>?) throws {
        #if DEBUG
            print("codec: note — a debug build; the codec numbers mean something only with -c release")
        #endif
        for codecCase in try cases() where only?.contains(codecCase.name) ?? true {
            var sink = 0
            for _ in 0..<200 { sink &+= try codecCase.body() }
            let began = ContinuousClock.now
            for _ in 0..<iterations { sink &+= try codecCase.body() }
            let seconds = Bench.seconds(ContinuousClock.now - began)
            let nanoseconds = seconds / Double(max(iterations, 1)) * 1e9
            report(
                "codec \(codecCase.name): \(codecCase.label)",
                String(
                    format: "%.0f ns/event, %.0f events/s  (check %d)", nanoseconds, Double(iterations) / seconds,
                    sink % 1000))
        }
    }
}
