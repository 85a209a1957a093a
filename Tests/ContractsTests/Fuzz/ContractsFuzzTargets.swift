import Foundation

// libFuzzer entry points for the Contracts decoders. LibFuzzerTests compiles this file together
// with Sources/Contracts into one fuzzer binary (`swiftc -sanitize=fuzzer`); SwiftPM never
// compiles it (the folder is excluded from the ContractsTests target), which is why it may use
// the module's internal API (JSONParser, JSONSerializer) directly.
//
// FREEZE_RELAY_FUZZ_TARGET picks the decoder. Besides "never traps, never hangs", each target
// checks a property, and traps when it fails so that libFuzzer keeps the input:
// - police, bank, event: whatever is accepted encodes canonically, and the encoding decodes
//   to the same event (and encodes to the same bytes again);
// - json: whatever parses serializes to text that parses to the same value.

enum FuzzTarget: String {
    case police, bank, event, json
}

let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["FREEZE_RELAY_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("FREEZE_RELAY_FUZZ_TARGET must be police, bank, event or json, not '\(name)'")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch fuzzTarget {
    case .police:
        if let message = refused({ () throws(ContractError) in try EventDecoder.decodePoliceMessage(bytes) }) {
            switch message {
            case .request(let request): checkRoundTrip(.freezeRequest(request))
            case .cancel(let cancel): checkRoundTrip(.freezeCancel(cancel))
            }
        }
    case .bank:
        if let response = refused({ () throws(ContractError) in try EventDecoder.decodeBankResponse(bytes) }) {
            checkRoundTrip(.bankResponse(response))
        }
    case .event:
        if let event = refused({ () throws(ContractError) in try EventDecoder.decodeEvent(bytes) }) {
            checkRoundTrip(event)
        }
    case .json:
        if let value = refused({ () throws(ContractError) in
            try JSONParser.parse(bytes, maxDepth: EventDecoder.maxNestingDepth)
        }) {
            checkRoundTrip(value)
        }
    }
    return 0
}

/// The decoded value, or nil when the input was refused (after rendering the error, which must not trap either).
private func refused<Value>(_ decode: () throws(ContractError) -> Value) -> Value? {
    do {
        return try decode()
    } catch {
        _ = error.description
        return nil
    }
}

private func checkRoundTrip(_ event: Event) {
    let encoded: [UInt8]
    do {
        encoded = try EventEncoder.encode(event)
    } catch {
        fatalError("an accepted \(event.type.rawValue) does not encode: \(error)")
    }
    guard let again = try? EventDecoder.decodeEvent(encoded), again == event else {
        fatalError("an accepted \(event.type.rawValue) does not decode back to itself from its encoding")
    }
    guard (try? EventEncoder.encode(again)) == encoded else {
        fatalError("the encoding of \(event.type.rawValue) is not stable")
    }
    _ = ContentFingerprint(event).hex
}

private func checkRoundTrip(_ value: JSONValue) {
    let text = JSONSerializer.serialize(value)
    guard let again = try? JSONParser.parse(text, maxDepth: EventDecoder.maxNestingDepth + 1), again == value else {
        fatalError("parsed JSON does not parse back to itself from its serialization")
    }
}
