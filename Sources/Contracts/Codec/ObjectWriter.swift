import Foundation

/// A model that writes itself as one JSON object.
protocol CanonicalObject {
    /// Writes the members; the writer puts them in canonical order.
    func write(into writer: inout ObjectWriter)
}

extension CanonicalObject {
    /// The canonical bytes of the object.
    var canonicalBytes: [UInt8] {
        ObjectWriter.canonicalBytes { write(into: &$0) }
    }

    /// The object as a parsed value, for `Codable` and for validating what the models write.
    var json: JSONValue {
        get throws(ContractError) { try JSONParser.parse(canonicalBytes, maxDepth: EventDecoder.maxNestingDepth) }
    }
}

/// Writes models straight to canonical JSON bytes: no `JSONValue` tree, no dictionary, no
/// intermediate strings for ids, times or amounts.
///
/// Members can be written in any order. Each value goes to a byte buffer as it is written and the
/// writer notes its key and where its bytes are; when an object is finished its members are put in
/// canonical order (UTF-8 bytes of the keys, which are ASCII literals) and copied out with their keys.
/// Optional values that are `nil` are left out, never written as `null`.
struct ObjectWriter {
    private struct Member {
        let key: StaticString
        /// ``JSONObject/prefix(of:)`` of the key: decides most comparisons while sorting.
        let keyPrefix: UInt64
        let start: Int
        let end: Int

        init(key: StaticString, start: Int, end: Int) {
            self.key = key
            self.keyPrefix = key.withUTF8Buffer(JSONObject.prefix)
            self.start = start
            self.end = end
        }
    }

    /// The values written so far; a finished nested object replaces its members' values here.
    private var bytes: [UInt8] = []
    /// The members of the objects being written, innermost last.
    private var members: [Member] = []
    /// Reused to put a nested object together before it goes back into `bytes`.
    private var assembly: [UInt8] = []

    private init() {}

    /// The canonical bytes of one object, leaving out the top-level members named in `omitted`.
    static func canonicalBytes(omitting omitted: [StaticString] = [], _ write: (inout ObjectWriter) -> Void) -> [UInt8]
    {
        var writer = ObjectWriter()
        writer.bytes.reserveCapacity(1024)
        writer.members.reserveCapacity(32)
        write(&writer)
        writer.sortMembers(from: 0)
        var output: [UInt8] = []
        output.reserveCapacity(writer.members.reduce(writer.bytes.count + 2) { $0 + $1.key.utf8CodeUnitCount + 4 })
        writer.assemble(from: 0, omitting: omitted, into: &output)
        return output
    }

    // MARK: - Members

    mutating func string(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        member(key) { CanonicalOutput.appendString(value, to: &$0) }
    }

    mutating func uuid(_ key: StaticString, _ value: UUID?) {
        guard let value else { return }
        asciiString(key) { CanonicalUUID.append(value, to: &$0) }
    }

    mutating func timestamp(_ key: StaticString, _ value: Timestamp?) {
        guard let value else { return }
        asciiString(key, value.appendRFC3339)
    }

    /// A string whose text `write` appends, known to need no escaping (digits, hex, fixed punctuation).
    mutating func asciiString(_ key: StaticString, _ write: (inout [UInt8]) -> Void) {
        member(key) { output in
            output.append(UInt8(ascii: "\""))
            write(&output)
            output.append(UInt8(ascii: "\""))
        }
    }

    mutating func integer<Integer: BinaryInteger>(_ key: StaticString, _ value: Integer?) {
        guard let value else { return }
        member(key) { CanonicalOutput.appendInteger(Int64(value), to: &$0) }
    }

    mutating func bool(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        member(key) { CanonicalOutput.appendASCII(value ? "true" : "false", to: &$0) }
    }

    mutating func null(_ key: StaticString) {
        member(key) { CanonicalOutput.appendASCII("null", to: &$0) }
    }

    /// A string, or `null` when there is none (for the fields the schemas make nullable).
    mutating func stringOrNull(_ key: StaticString, _ value: String?) {
        if let value { string(key, value) } else { null(key) }
    }

    mutating func object<Object: CanonicalObject>(_ key: StaticString, _ value: Object?) {
        guard let value else { return }
        object(key) { value.write(into: &$0) }
    }

    /// A nested object whose members `write` writes.
    mutating func object(_ key: StaticString, _ write: (inout ObjectWriter) -> Void) {
        let start = bytes.count
        appendObject(write)
        members.append(Member(key: key, start: start, end: bytes.count))
    }

    /// An array of objects; left out when empty (the contracts never send empty lists).
    mutating func list<Object: CanonicalObject>(_ key: StaticString, _ items: [Object]) {
        list(key, items) { item, writer in item.write(into: &writer) }
    }

    /// An array with one object per item, written by `write`; left out when empty.
    mutating func list<Item>(_ key: StaticString, _ items: [Item], _ write: (Item, inout ObjectWriter) -> Void) {
        guard !items.isEmpty else { return }
        let start = bytes.count
        bytes.append(UInt8(ascii: "["))
        for (position, item) in items.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            appendObject { write(item, &$0) }
        }
        bytes.append(UInt8(ascii: "]"))
        members.append(Member(key: key, start: start, end: bytes.count))
    }

    // MARK: - Assembly

    private mutating func member(_ key: StaticString, _ writeValue: (inout [UInt8]) -> Void) {
        let start = bytes.count
        writeValue(&bytes)
        members.append(Member(key: key, start: start, end: bytes.count))
    }

    /// Writes a whole object to `bytes`: its members' values, then the object in canonical form in
    /// their place.
    private mutating func appendObject(_ write: (inout ObjectWriter) -> Void) {
        let base = members.count
        let start = bytes.count
        write(&self)
        sortMembers(from: base)
        var assembled = assembly
        assembly = []
        assembled.removeAll(keepingCapacity: true)
        assemble(from: base, omitting: [], into: &assembled)
        bytes.removeSubrange(start...)
        bytes.append(contentsOf: assembled)
        members.removeSubrange(base...)
        assembly = assembled
    }

    /// Insertion sort: objects have a few to twenty members, often nearly in order already.
    private mutating func sortMembers(from base: Int) {
        var next = base + 1
        while next < members.count {
            let member = members[next]
            var position = next
            while position > base && Self.precedes(member, members[position - 1]) {
                members[position] = members[position - 1]
                position -= 1
            }
            members[position] = member
            next += 1
        }
        assert(
            members.count < base + 2
                || zip(members[base...], members[(base + 1)...]).allSatisfy { Self.compare($0.key, $1.key) != 0 },
            "a model wrote the same key twice")
    }

    private func assemble(from base: Int, omitting omitted: [StaticString], into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var first = true
        bytes.withUnsafeBufferPointer { values in
            for member in members[base...] where !omitted.contains(where: { Self.compare($0, member.key) == 0 }) {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                output.append(UInt8(ascii: "\""))
                assert(
                    member.key.withUTF8Buffer { $0.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } },
                    "keys are written without escaping")
                CanonicalOutput.appendASCII(member.key, to: &output)
                output.append(UInt8(ascii: "\""))
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: UnsafeBufferPointer(rebasing: values[member.start..<member.end]))
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    private static func precedes(_ left: Member, _ right: Member) -> Bool {
        if left.keyPrefix != right.keyPrefix { return left.keyPrefix < right.keyPrefix }
        return compare(left.key, right.key) < 0
    }

    private static func compare(_ left: StaticString, _ right: StaticString) -> Int {
        left.withUTF8Buffer { leftBytes in
            right.withUTF8Buffer { rightBytes in JSONObject.compareBytes(leftBytes, rightBytes) }
        }
    }
}
