import Foundation

/// Personal data in free text the console shows but did not compose: escalation details (the
/// relay's own sentences name the accounts money went to) and dead letters' original messages.
/// Anything shaped like an IBAN keeps only its last four characters, as `AccountMask` does for
/// accounts the console formats itself; JSON fields whose name ends in `name` are hidden.
enum TextRedaction {
    private static let ibanLike = try! NSRegularExpression(
        pattern: "\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}([A-Z0-9]{4})\\b")
    private static let nameField = try! NSRegularExpression(
        pattern: "(\"[A-Za-z_]*name\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"", options: [.caseInsensitive])

    /// `text` with IBAN-like tokens masked to `****` and their last four characters.
    static func maskAccounts(_ text: String) -> String {
        ibanLike.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "****$1")
    }

    /// `maskAccounts`, and every `…name` JSON string field replaced by `"[hidden]"`.
    static func redactMessage(_ text: String) -> String {
        let masked = maskAccounts(text)
        return nameField.stringByReplacingMatches(
            in: masked, range: NSRange(masked.startIndex..., in: masked), withTemplate: "$1\"[hidden]\"")
    }
}
