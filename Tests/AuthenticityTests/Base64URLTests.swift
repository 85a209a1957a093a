import Authenticity
import Foundation
import Testing

@Suite struct Base64URLTests {
    @Test func roundTripsEveryLengthAndAgreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                    of: "=", with: "")
            #expect(text == foundation)
            #expect(Base64URL.decode(text) == bytes)
        }
    }

    @Test(arguments: ["QQ==", "QQ=", "Q", "QR", "Q+", "Q/", "QQ A", "QQ\n", "é", "QR==", "QUJ"])
    func refusesEverythingButCanonicalUnpaddedText(_ text: String) {
        // "QR" and "QUJ" carry non-zero unused bits: another spelling of "A" / "AB".
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func decodesTheCanonicalSpellings() {
        #expect(Base64URL.decode("QQ") == Array("A".utf8))
        #expect(Base64URL.decode("QUI") == Array("AB".utf8))
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }
}
