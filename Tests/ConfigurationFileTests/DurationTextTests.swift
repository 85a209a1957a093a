import ConfigurationFile
import Foundation
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("30s", Duration.seconds(30)),
        ("15m", .seconds(15 * 60)),
        ("2h", .seconds(7200)),
        ("1d", .seconds(86_400)),
        ("1h30m", .seconds(5400)),
        ("500ms", .milliseconds(500)),
        ("1m30s500ms", .milliseconds(90_500)),
        ("1d2h3m4s5ms", .milliseconds(93_784_005)),
        ("0s", .zero),
        ("  45s ", .seconds(45)),
        ("90m", .seconds(5400)),
    ])
    func parsesValidText(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test(arguments: [
        ("", DurationTextError.Reason.empty),
        ("   ", .empty),
        ("300", .missingUnit),
        ("5 m", .missingUnit),
        ("1.5h", .fractional),
        ("-5m", .negative),
        ("m", .expectedNumber),
        ("1h-30m", .expectedNumber),
        ("5min", .unknownUnit("min")),
        ("3w", .unknownUnit("w")),
        ("10us", .unknownUnit("us")),
        ("30m1h", .unitOrder),
        ("1h1h", .unitOrder),
        ("99999999999999h", .overflow),
        ("99999999999999999999s", .overflow),
        ("106751991168d", .overflow),
    ])
    func refusesInvalidText(text: String, reason: DurationTextError.Reason) {
        #expect(throws: DurationTextError(text: text.trimmingCharacters(in: .whitespaces), reason: reason)) {
            try DurationText.parse(text)
        }
    }

    @Test(arguments: [
        (Duration.seconds(5400), "1h30m"),
        (.seconds(90 * 60), "1h30m"),
        (.zero, "0s"),
        (.milliseconds(1500), "1s500ms"),
        (.seconds(86_400 * 2), "2d"),
        (.seconds(36 * 3600), "1d12h"),
        (.milliseconds(250), "250ms"),
        (.microseconds(1), "0s"),
        (.seconds(-90), "-1m30s"),
    ])
    func formats(duration: Duration, expected: String) {
        #expect(DurationText.format(duration) == expected)
    }

    @Test func formatThenParseIsIdentityAtMillisecondPrecision() throws {
        for milliseconds: Int64 in [1, 999, 1000, 59_999, 3_600_000, 86_400_001, 123_456_789] {
            let duration = Duration.milliseconds(milliseconds)
            #expect(try DurationText.parse(DurationText.format(duration)) == duration)
        }
    }

    @Test func errorDescriptionQuotesTheTextAndSaysWhy() {
        let error = DurationTextError(text: "300", reason: .missingUnit)
        #expect(error.description.hasPrefix("invalid duration \"300\": a number lacks its unit"))
    }
}
