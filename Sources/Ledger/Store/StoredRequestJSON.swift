import Foundation

/// How a request's JSON is kept in `requests.request_json`.
///
/// - Rows written before this form hold the canonical JSON itself, which begins with `{`.
/// - Rows written since hold the byte 0x1F, then the JSON with each of the `phrases` below (keys
///   and the punctuation around them) replaced by one byte, its position in the list plus one.
///
/// About half of a request's JSON is keys and punctuation: the bench's requests go from about
/// 527 to about 250 bytes. JSON text never holds a byte below 0x20 (a string must escape control
/// characters), so a phrase byte cannot be mistaken for the JSON's own, and expanding the phrases
/// gives back exactly the JSON that was written, whichever phrases matched. Deflate with a preset
/// dictionary made it smaller still (about 175 bytes) but cost the writer about 100,000
/// instructions per request, 9 % of the ledger bench's; this costs about 13,000 (1.2 %).
///
/// Both forms are read, so version 15 rewrites no row (``StoredRequestFormSchema``). The phrase list is part of the file
/// format: phrases may be appended (up to 30) but never changed, removed or reordered
/// (`StoredRequestJSONTests` holds its digest).
enum StoredRequestJSON {
    /// The first byte of a row in phrase form. JSON never begins with it.
    static let phraseForm: UInt8 = 0x1F

    /// Why a stored value could not be read back.
    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The phrases, in the order of the canonical JSON's keys (sorted), each with the punctuation
    /// that surrounds it there. Phrase n is stored as the byte n + 1.
    static let phrases: [[UInt8]] = [
        #"{"account":{"holder_name":""#, #"{"account":{"iban":""#, #"","iban":""#,
        #""},"amount":{"currency":""#, #"","value":""#, #""},"case_id":""#, #"","created_at":""#,
        #"","fraud_transaction":{"description":""#, #"","fraud_transaction":{"occurred_at":""#,
        #"","occurred_at":""#, #"","reference":""#, #""},"hop":"#, #","id":""#, #""},"id":""#,
        #"","issued_at":""#, #"","issuer":{"agency":""#, #"","officer_id":""#, #"","unit":""#,
        #""},"legal_basis":""#, #"","parent_request_id":""#, #"","priority":"urgent""#,
        #"","priority":"normal""#, #","request_id":""#, #","requested_hold_hours":"#,
        #"","type":"freeze_request","version":1}"#, #""}"#, #"",""#,
    ].map { Array($0.utf8) }

    /// The phrases laid out for `pack`: their bytes in one array, and for each first byte the
    /// run of `entries` (token, offset, length) of the phrases that begin with it, longest first.
    /// Flat arrays read through pointers: the writer packs every new request.
    private struct PhraseIndex {
        var bytes: [UInt8] = []
        var entries: [(token: UInt8, offset: Int, length: Int)] = []
        var runs = [Range<Int>](repeating: 0..<0, count: 256)

        init(_ phrases: [[UInt8]]) {
            for first in 0..<256 {
                let start = entries.count
                let starting = phrases.enumerated().filter { $0.element[0] == first }
                for (index, phrase) in starting.sorted(by: { $0.element.count > $1.element.count }) {
                    entries.append((UInt8(index + 1), bytes.count, phrase.count))
                    bytes += phrase
                }
                runs[first] = start..<entries.count
            }
        }
    }

    private static let index = PhraseIndex(phrases)

    /// The stored form of `json`: phrases replaced, or the JSON itself should it hold a byte
    /// below 0x20 after all (then a phrase byte could not be told from its own).
    static func pack(_ json: [UInt8]) -> [UInt8] {
        let index = Self.index
        var packed = true
        // Written through pointers: appending byte by byte costs half as much again (callgrind).
        let output = [UInt8](unsafeUninitializedCapacity: json.count + 1) { target, count in
            json.withUnsafeBufferPointer { source in
                index.bytes.withUnsafeBufferPointer { phraseBytes in
                    target[0] = phraseForm
                    var position = 0
                    count = 1
                    next: while position < source.count {
                        let byte = source[position]
                        if byte < 0x20 {
                            packed = false
                            return
                        }
                        for entry in index.entries[index.runs[Int(byte)]]
                        where entry.length <= source.count - position
                            && memcmp(
                                phraseBytes.baseAddress! + entry.offset, source.baseAddress! + position, entry.length)
                                == 0
                        {
                            target[count] = entry.token
                            (position, count) = (position + entry.length, count + 1)
                            continue next
                        }
                        target[count] = byte
                        (position, count) = (position + 1, count + 1)
                    }
                }
            }
        }
        return packed ? output : json
    }

    /// The JSON of a stored value of either form.
    static func unpack(_ stored: [UInt8]) throws(Unreadable) -> [UInt8] {
        guard let first = stored.first else { throw Unreadable(description: "empty value") }
        switch first {
        case UInt8(ascii: "{"): return stored
        case phraseForm: return try expand(stored.dropFirst())
        default: throw Unreadable(description: "unknown stored form (first byte \(first))")
        }
    }

    private static func expand(_ packed: ArraySlice<UInt8>) throws(Unreadable) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(packed.count * 2 + 64)
        for byte in packed {
            if byte >= 0x20 {
                json.append(byte)
            } else if byte >= 1, Int(byte) <= phrases.count {
                json += phrases[Int(byte) - 1]
            } else {
                throw Unreadable(description: "unknown phrase byte \(byte)")
            }
        }
        return json
    }
}
