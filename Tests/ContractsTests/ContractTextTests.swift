import Contracts
import Foundation
import Testing

@Suite("Text fitted into contract fields")
struct ContractTextTests {
    @Test("controls are escaped, blanks replaced, long text cut, and the result always validates")
    func fitted() throws {
        #expect(ContractText.fitted("a\u{01}b\nc\td") == "a\\u{1}b\nc\td")
        #expect(ContractText.fitted("   ") == "-")
        #expect(ContractText.fitted("") == "-")
        let long = ContractText.fitted(String(repeating: "x", count: 5000))
        #expect(long.unicodeScalars.count <= ContractLimits.detail && long.hasSuffix("more characters]"))
        #expect(ContractText.fittedLabel(" k\u{02}\ney ", limit: 512) == "k\\u{2}\\u{a}ey")
        #expect(ContractText.fittedLabel("\u{7F}", limit: 512) == "\\u{7f}")
        #expect(ContractText.fittedLabel(String(repeating: "p", count: 600), limit: 512).count == 512)

        for raw in ["\u{01}", "a\u{85}b", String(repeating: "é\u{0B}", count: 1500), " \u{00}  "] {
            let letter = DeadLetter(
                id: UUID(), createdAt: Timestamp(secondsSinceEpoch: 0), source: .init(topic: "freeze.requests", partition: 0, offset: 1),
                key: nil, value: nil,
                reason: .init(code: .invalidJSON, path: ContractText.fittedLabel(raw, limit: 512), message: ContractText.fitted(raw)),
                deadLetteredAt: Timestamp(secondsSinceEpoch: 0))
            #expect(throws: Never.self) { _ = try EventEncoder.encode(letter) }
        }
    }
}
