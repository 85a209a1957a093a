import Contracts

/// Checks of the textual formats the configuration uses. Each returns why the text is
/// wrong, or `nil` when it is fine, so callers can attach the path and source.
enum Formats {
    private static let lowercaseLetters = Set("abcdefghijklmnopqrstuvwxyz")
    private static let uppercaseLetters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    private static let digits = Set("0123456789")

    /// Bank ids appear in topic names, hence the small alphabet: `^[a-z0-9][a-z0-9_-]{0,31}$`.
    /// The rule is Contracts' ``BankID``, the type the relay builds from it.
    static func bankID(_ id: String) -> String? {
        guard (try? BankID(id)) == nil else { return nil }
        return "\(Quote.text(id)) is not a valid bank id: use 1 to 32 lower-case letters, digits, "
            + "'_' or '-', starting with a letter or digit (it becomes part of topic names)"
    }

    /// `KZ601`: an ISO country code plus the bank identifier as it appears in IBANs of that
    /// country, checked against the IBAN registry by the rule the routing directory applies
    /// (``RoutingDirectory/bankCodeProblem(_:)``): a code accepted here is one `run` accepts.
    static func ibanBankCode(_ code: String) -> String? {
        let upper = code.uppercased()
        if let problem = RoutingDirectory.bankCodeProblem(upper) {
            return "\(Quote.text(code)) is not an IBAN bank code: \(problem) (write the 2-letter country code, then "
                + "the bank identifier as it appears in the country's IBANs, e.g. \"KZ601\")"
        }
        if upper != code {
            return "\(Quote.text(code)) must be written in upper case: \(Quote.text(upper))"
        }
        return nil
    }

    /// BICs: 4-letter institution, 2-letter country, 2-character location, optional 3-character
    /// branch; the rule is Contracts' ``BIC``.
    static func bic(_ bic: String) -> String? {
        let upper = bic.uppercased()
        guard (try? BIC(upper)) != nil else {
            return "\(Quote.text(bic)) is not a BIC: expected 8 or 11 characters, e.g. \"HSBKKZKX\""
        }
        if upper != bic {
            return "\(Quote.text(bic)) must be written in upper case: \(Quote.text(upper))"
        }
        return nil
    }

    /// Kafka's legal topic characters and length limit (Contracts' ``TopicNames/isLegalTopicName(_:)``),
    /// with a shorter limit where a name is only a part (the prefix).
    static func topicName(_ name: String, maximumLength: Int = 249) -> String? {
        guard TopicNames.isLegalTopicName(name), name.utf8.count <= maximumLength else {
            return "\(Quote.text(name)) is not a valid Kafka topic name: use up to \(maximumLength) letters, "
                + "digits, '.', '_' or '-'"
        }
        return nil
    }

    /// `host:port`; IPv6 addresses go in brackets. Returns the parts or why not.
    static func hostAndPort(_ text: String, portRange: ClosedRange<Int> = 0...65_535)
        -> Result<(host: String, port: Int), FormatError>
    {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(FormatError("\(Quote.text(text)) is not host:port (IPv6 as [::1]:9464)"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(FormatError("\(Quote.text(text)) is not host:port, e.g. 127.0.0.1:9464"))
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(FormatError("\(Quote.text(text)): write IPv6 addresses in brackets, e.g. [::1]:9464"))
            }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else {
            return .failure(FormatError("\(Quote.text(text)) has no host before the port"))
        }
        guard portText.allSatisfy(digits.contains), let port = Int(portText), portRange.contains(port) else {
            return .failure(
                FormatError(
                    "\(Quote.text(text)) has no valid port (\(portRange.lowerBound)...\(portRange.upperBound))"))
        }
        return .success((String(host), port))
    }

    /// A Kafka bootstrap entry: `host` or `host:port` (librdkafka defaults the port to 9092).
    static func bootstrapServer(_ entry: String) -> String? {
        let trimmed = entry.trimmingWhitespace()
        guard !trimmed.isEmpty else { return "contains an empty server entry (check the commas)" }
        guard trimmed.contains(":") else { return nil }
        if case .failure(let error) = hostAndPort(trimmed, portRange: 1...65_535) { return error.message }
        return nil
    }

    /// An amount as a plain non-negative decimal: `0`, `1000`, `1000.50`.
    static func decimalAmount(_ text: String) -> String? {
        if text.hasPrefix("-") { return "\(Quote.text(text)) must not be negative" }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed =
            (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(digits.contains) }
        return wellFormed ? nil : "\(Quote.text(text)) is not a decimal amount such as \"0\" or \"1000.50\""
    }

    /// Enough of an e-mail address to catch slips: something@domain.tld, no spaces.
    static func email(_ text: String) -> String? {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let ok =
            parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
        return ok ? nil : "\(Quote.text(text)) is not an e-mail address"
    }

    /// Digits with optional `+`, spaces, dashes, dots and parentheses; at least 5 digits.
    static func phone(_ text: String) -> String? {
        let allowed = digits.union("+ -().")
        let digitCount = text.filter(digits.contains).count
        let ok = text.allSatisfy(allowed.contains) && digitCount >= 5 && !text.dropFirst().contains("+")
        return ok
            ? nil : "\(Quote.text(text)) is not a phone number (digits, optionally +, spaces, dashes, parentheses)"
    }

    /// Environment variable names as shells accept them.
    static func environmentVariableName(_ name: String) -> String? {
        let allowed = lowercaseLetters.union(uppercaseLetters).union(digits).union("_")
        guard let first = name.first, !digits.contains(first), name.allSatisfy(allowed.contains) else {
            // Not quoted: a secret pasted here by mistake must not end up in the message.
            return "is not a valid environment variable name (letters, digits and '_', not starting with a digit)"
        }
        return nil
    }
}

/// Why a text failed a format check.
struct FormatError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
