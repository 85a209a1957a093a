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
                id: UUID(), createdAt: Timestamp(secondsSinceEpoch: 0),
                source: .init(topic: "freeze.requests", partition: 0, offset: 1),
                key: nil, value: nil,
                reason: .init(
                    code: .invalidJSON, path: ContractText.fittedLabel(raw, limit: 512),
                    message: ContractText.fitted(raw)),
                deadLetteredAt: Timestamp(secondsSinceEpoch: 0))
            #expect(throws: Never.self) { _ = try EventEncoder.encode(letter) }
        }
    }

    @Test(
        "names keep spaces and emptiness, escape every control, and are cut with a note counting the original characters left out"
    )
    func fittedName() {
        #expect(ContractText.fittedName("", limit: 256) == "")
        #expect(ContractText.fittedName(" x-trace id ", limit: 256) == " x-trace id ")
        #expect(ContractText.fittedName("a\u{0}b\nc\u{9F}", limit: 256) == "a\\u{0}b\\u{a}c\\u{9f}")
        #expect(
            ContractText.fittedName(String(repeating: "n", count: 256), limit: 256)
                == String(repeating: "n", count: 256))
        let cut = ContractText.fittedName(String(repeating: "n", count: 2000), limit: 256)
        #expect(cut == String(repeating: "n", count: 216) + " … [cut: 1784 more characters]")
        // Escapes count against the limit; the note counts characters of the original.
        let controls = ContractText.fittedName(String(repeating: "\u{1}", count: 1000), limit: 256)
        #expect(controls.unicodeScalars.count <= 256)
        #expect(controls == String(repeating: "\\u{1}", count: 43) + " … [cut: 957 more characters]")
        // Exactly at the limit once escaped: not cut.
        let exact = String(repeating: "a", count: 251) + "\u{1}"
        #expect(ContractText.fittedName(exact, limit: 256) == String(repeating: "a", count: 251) + "\\u{1}")
    }
}
