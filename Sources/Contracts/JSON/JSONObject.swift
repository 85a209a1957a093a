/// The members of a JSON object, kept sorted by the UTF-8 bytes of their keys.
///
/// Sorted because that is the canonical output order, so serializing needs no sort, and because a
/// binary search over a dozen short keys is cheaper than hashing each of them, which is what a
/// `Dictionary` did before. Keys are unique by `String` equality (Unicode canonical equivalence, as in
/// a `Dictionary<String, _>`): `"é"` written precomposed and decomposed is one key, and so are `K` and
/// the Kelvin sign. For plain ASCII keys that is the same as byte equality; objects holding other keys
/// also keep an ``equivalentKeys`` set, so lookups and the parser's duplicate check see the same keys a
/// dictionary would.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One member.
    public typealias Element = (key: String, value: JSONValue)

    struct Member: Sendable {
        var key: String
        var value: JSONValue
        /// The first eight UTF-8 bytes of the key, big-endian and zero-padded, and how many bytes it
        /// has: most comparisons of two keys are decided by these two integers alone.
        let keyPrefix: UInt64
        let keyLength: Int

        init(key: String, value: JSONValue) {
            var text = key
            let (prefix, length) = text.withUTF8 { (JSONObject.prefix(of: $0), $0.count) }
            self.init(key: key, value: value, keyPrefix: prefix, keyLength: length)
        }

        init(key: String, value: JSONValue, keyPrefix: UInt64, keyLength: Int) {
            self.key = key
            self.value = value
            self.keyPrefix = keyPrefix
            self.keyLength = keyLength
        }
    }

    /// Sorted by ``JSONObject/compareUTF8(_:_:)`` of the keys; no two keys equal as `String`s.
    private(set) var members: [Member]
    /// Every key, present only when some key is not ASCII: finds the stored key that is canonically
    /// equivalent to a looked-up one (a `Set` returns the element it holds).
    private var equivalentKeys: Set<String>?

    /// An empty object.
    public init() {
        members = []
    }

    /// Members already sorted and unique; `equivalentKeys` given when a key is not ASCII.
    init(sortedMembers: [Member], equivalentKeys: Set<String>?) {
        members = sortedMembers
        self.equivalentKeys = equivalentKeys
    }

    /// The members of a dictionary.
    public init(_ dictionary: [String: JSONValue]) {
        self.init()
        members.reserveCapacity(dictionary.count)
        for (key, value) in dictionary { self[key] = value }
    }

    /// An object from a literal; like a dictionary literal, equal keys are a programming error.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements {
            precondition(self[key] == nil, "JSONObject literal contains duplicate keys")
            self[key] = value
        }
    }

    /// Number of members.
    public var count: Int { members.count }

    /// True when the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys, in canonical (UTF-8 byte) order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in the order of ``keys``.
    public var values: [JSONValue] { members.map(\.value) }

    /// The same members as a dictionary.
    public var dictionary: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: members.lazy.map { ($0.key, $0.value) })
    }

    /// The member named `key` (compared as `String`s); setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    equivalentKeys?.remove(members[position].key)
                    members.remove(at: position)
                }
            } else if let newValue {
                insert(Member(key: key, value: newValue))
            }
        }
    }

    /// Members in canonical (UTF-8 byte) order of their keys.
    public func makeIterator() -> Iterator {
        Iterator(base: members.makeIterator())
    }

    /// Iterates the members in canonical order.
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Member]>

        /// The next member.
        public mutating func next() -> Element? {
            base.next().map { (key: $0.key, value: $0.value) }
        }
    }

    /// `{"key": value, …}`, canonical.
    public var description: String { String(decoding: JSONValue.object(self).canonicalBytes, as: UTF8.self) }

    /// Equal members, compared as a dictionary would: keys as `String`s, order irrelevant.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        if lhs.equivalentKeys == nil && rhs.equivalentKeys == nil {
            // ASCII keys only: equal keys have equal bytes, so both lists are in the same order.
            for (left, right) in zip(lhs.members, rhs.members) where left.key != right.key || left.value != right.value
            {
                return false
            }
            return true
        }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }

    /// Order-independent, like a dictionary's, so it agrees with ``==``.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(combined)
    }

    // MARK: - Finding and inserting

    /// Index of the member whose key equals `key` as a `String`.
    func position(of key: String) -> Int? {
        var text = key
        let (found, position, isASCII) = text.withUTF8 { bytes in
            let (found, position) = Self.search(members, bytes)
            return (found, position, found || !bytes.contains { $0 >= 0x80 })
        }
        if found { return position }
        if let equivalentKeys {
            guard let stored = equivalentKeys.firstIndex(of: key) else { return nil }
            return Self.search(members, equivalentKeys[stored]).position
        }
        // All stored keys are ASCII; a key that is not may still equal one (the Kelvin sign and K).
        return isASCII ? nil : members.firstIndex { $0.key == key }
    }

    /// Binary search by UTF-8 bytes: whether `key` is there byte for byte, and where it is or would go.
    static func search(_ members: [Member], _ key: String) -> (found: Bool, position: Int) {
        var text = key
        return text.withUTF8 { search(members, $0) }
    }

    static func search(_ members: [Member], _ key: UnsafeBufferPointer<UInt8>) -> (found: Bool, position: Int) {
        members.withUnsafeBufferPointer { search($0, key, prefix: prefix(of: key)) }
    }

    /// `keyPrefix` is ``prefix(of:)`` of `key`. Works on the buffer so that no member is copied (and
    /// retained) just to look at its key.
    static func search(
        _ members: UnsafeBufferPointer<Member>, _ key: UnsafeBufferPointer<UInt8>,
        prefix keyPrefix: UInt64
    ) -> (found: Bool, position: Int) {
        func order(_ index: Int) -> Int {
            let memberPrefix = members[index].keyPrefix
            if memberPrefix != keyPrefix { return memberPrefix < keyPrefix ? -1 : 1 }
            // Equal first eight bytes: a key of at most eight bytes is a prefix of the other one.
            let memberLength = members[index].keyLength
            if memberLength <= 8 || key.count <= 8 { return memberLength - key.count }
            var stored = members[index].key
            return stored.withUTF8 { compareBytes($0, key) }
        }
        guard !members.isEmpty else { return (false, 0) }
        let lastOrder = order(members.count - 1)
        if lastOrder < 0 { return (false, members.count) }
        if lastOrder == 0 { return (true, members.count - 1) }
        var low = 0
        var high = members.count - 1
        while low < high {
            let middle = (low + high) / 2
            let middleOrder = order(middle)
            if middleOrder == 0 { return (true, middle) }
            if middleOrder < 0 { low = middle + 1 } else { high = middle }
        }
        return (false, low)
    }

    /// Inserts `member` at `position`, moving the ones after it up.
    static func insert(_ member: Member, at position: Int, into members: inout [Member]) {
        members.append(member)
        guard position < members.count - 1 else { return }
        members.withUnsafeMutableBufferPointer { buffer in
            var index = buffer.count - 1
            while index > position {
                buffer.swapAt(index, index - 1)
                index -= 1
            }
        }
    }

    /// The first eight bytes, big-endian, zero-padded: ordered as the bytes are, as far as they go.
    static func prefix(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var prefix: UInt64 = 0
        for position in 0..<8 {
            prefix = prefix << 8 | UInt64(position < bytes.count ? bytes[position] : 0)
        }
        return prefix
    }

    private mutating func insert(_ member: Member) {
        let isASCII = !member.key.utf8.contains { $0 >= 0x80 }
        if !isASCII && equivalentKeys == nil { equivalentKeys = Set(members.map(\.key)) }
        equivalentKeys?.insert(member.key)
        Self.insert(member, at: Self.search(members, member.key).position, into: &members)
    }

    /// Whether `left`'s key comes before `right`'s in UTF-8 byte order.
    static func precedes(_ left: Member, _ right: Member) -> Bool {
        if left.keyPrefix != right.keyPrefix { return left.keyPrefix < right.keyPrefix }
        if left.keyLength <= 8 || right.keyLength <= 8 { return left.keyLength < right.keyLength }
        return compareUTF8(left.key, right.key) < 0
    }

    /// Compares two strings by their UTF-8 bytes (Unicode code point order): negative, zero or positive.
    static func compareUTF8(_ left: String, _ right: String) -> Int {
        var left = left
        var right = right
        return left.withUTF8 { leftBytes in
            right.withUTF8 { rightBytes in compareBytes(leftBytes, rightBytes) }
        }
    }

    static func compareBytes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = Swift.min(left.count, right.count)
        var index = 0
        while index < shared {
            let difference = Int(left[index]) - Int(right[index])
            if difference != 0 { return difference }
            index += 1
        }
        return left.count - right.count
    }
}
