import Foundation

/// The two kinds of free text in the contracts, mirrored one-to-one by `label` and `text` in
/// `schemas/common.schema.json`. Lengths count Unicode code points, as JSON Schema's `maxLength` does.
enum TextRules {
    /// C0 controls, DEL and C1 controls: invisible, break logs and terminals, never legitimate in these fields.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Tab, line feed and carriage return: the only controls allowed, and only in multi-line `text`.
    static func isLineBreakOrTab(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    /// A single-line value (names, references, identifiers): no control characters,
    /// no leading or trailing space. Returns the reason when `value` breaks the rule.
    static func labelProblem(_ value: String, maxLength: Int) -> String? {
        let scan = Scan(value)
        if scan.scalars == 0 { return "must not be empty" }
        if scan.scalars > maxLength { return "must be at most \(maxLength) characters (got \(scan.scalars))" }
        if scan.hasControl { return "must not contain control characters or line breaks" }
        if scan.startsOrEndsWithSpace { return "must not start or end with a space" }
        return nil
    }

    /// Human text (reasons, details): line breaks and tabs allowed, other controls not,
    /// and it must contain at least one visible character.
    static func textProblem(_ value: String, maxLength: Int) -> String? {
        let scan = Scan(value)
        if scan.scalars == 0 { return "must not be empty" }
        if scan.scalars > maxLength { return "must be at most \(maxLength) characters (got \(scan.scalars))" }
        if scan.hasControlBesidesLineBreaks {
            return "must not contain control characters other than tab and line breaks"
        }
        if !scan.hasVisible { return "must not be blank" }
        return nil
    }

    /// What the two rules need to know about a text, from one pass over its UTF-8 bytes (every field
    /// of every decoded event goes through here). Strings are valid UTF-8, so a lead byte tells a
    /// scalar's length, and the C1 controls U+0080–U+009F are exactly `C2 80`–`C2 9F`.
    private struct Scan {
        var scalars = 0
        var hasControl = false
        var hasControlBesidesLineBreaks = false
        /// A scalar that is neither a control character nor a space.
        var hasVisible = false
        var startsOrEndsWithSpace = false

        init(_ value: String) {
            var value = value
            value.withUTF8 { bytes in
                startsOrEndsWithSpace = bytes.first == 0x20 || bytes.last == 0x20
                var index = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    scalars += 1
                    if byte < 0x80 {
                        if byte < 0x20 || byte == 0x7F {
                            hasControl = true
                            if byte != 0x09 && byte != 0x0A && byte != 0x0D { hasControlBesidesLineBreaks = true }
                        } else if byte != 0x20 {
                            hasVisible = true
                        }
                        index += 1
                    } else {
                        if byte == 0xC2 && bytes[index + 1] < 0xA0 {
                            hasControl = true
                            hasControlBesidesLineBreaks = true
                        } else {
                            hasVisible = true
                        }
                        index += byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                    }
                }
            }
        }
    }
}

/// Turns arbitrary text (messages that quote bytes from outside, long generated details) into
/// a value every contract `text` field accepts, so an event the relay builds around it can
/// always be published.
public enum ContractText {
    /// Control characters other than tab and line breaks become visible escapes (`\u{1}`),
    /// blank text becomes `-`, and text longer than `limit` code points is cut with a note of
    /// how much was left out.
    public static func fitted(_ raw: String, limit: Int = ContractLimits.detail) -> String {
        let scalars = escapingControls(raw, keepingLineBreaks: true)
        if !scalars.contains(where: { !TextRules.isControl($0) && $0 != " " }) { return "-" }
        return cut(scalars, to: limit)
    }

    /// The same for single-line `label` fields (such as a dead letter's field path, which may
    /// quote a key from the refused message): every control character is escaped, surrounding
    /// spaces are dropped, and the result is cut to `limit` code points.
    public static func fittedLabel(_ raw: String, limit: Int) -> String {
        let trimmed = String(escapingControls(raw, keepingLineBreaks: false)).trimmingCharacters(
            in: .init(charactersIn: " "))
        let cut = String(String.UnicodeScalarView(trimmed.unicodeScalars.prefix(limit)))
        return cut.isEmpty ? "-" : cut.trimmingCharacters(in: .init(charactersIn: " "))
    }

    /// A name copied from outside (a Kafka header name) for a field that shows it as it was:
    /// every control character is escaped, spaces and emptiness are kept, and a name longer than
    /// `limit` code points is cut with a note of how much was left out.
    public static func fittedName(_ raw: String, limit: Int) -> String {
        var shown = String.UnicodeScalarView()
        var beforeCut: (shown: String.UnicodeScalarView, taken: Int)?
        var taken = 0
        for scalar in raw.unicodeScalars {
            let piece = escapingControls(String(scalar), keepingLineBreaks: false)
            if beforeCut == nil && shown.count + piece.count > limit - cutNoteLength { beforeCut = (shown, taken) }
            // Stops as soon as a cut is certain: a name may be megabytes long.
            if shown.count + piece.count > limit, let (kept, count) = beforeCut {
                return String(kept) + cutNote(raw.unicodeScalars.count - count)
            }
            shown.append(contentsOf: piece)
            taken += 1
        }
        return String(shown)
    }

    /// Room kept for the note that states a cut: " … [cut: " + up to 10 digits + " more characters]".
    static let cutNoteLength = 40

    static func cutNote(_ dropped: Int) -> String { " … [cut: \(dropped) more characters]" }

    static func cut(_ scalars: String.UnicodeScalarView, to limit: Int) -> String {
        guard scalars.count > limit else { return String(scalars) }
        let keep = limit - cutNoteLength
        return String(String.UnicodeScalarView(scalars.prefix(keep))) + cutNote(scalars.count - keep)
    }

    /// Control characters as visible escapes (`\u{1}`); tab and line breaks kept when asked.
    static func escapingControls(_ raw: String, keepingLineBreaks: Bool) -> String.UnicodeScalarView {
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if TextRules.isControl(scalar) && !(keepingLineBreaks && TextRules.isLineBreakOrTab(scalar)) {
                scalars.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        return scalars
    }
}
