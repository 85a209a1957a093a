import Testing

@testable import FreezeRelay

@Suite("Report formatting")
struct ReportTextTests {
    @Test(
        "durations grow coarser with size",
        arguments: [
            (2.5, "2.5s"), (45.0, "45s"), (119.4, "119s"), (120.0, "2m00s"), (3599.0, "59m59s"), (3600.0, "1h00m"),
            (6600.0, "1h50m"), (172_799.0, "47h59m"), (172_800.0, "2d00h"), (80_352_000.0, "930d00h"), (-90.0, "-90s"),
        ])
    func durations(seconds: Double, text: String) {
        #expect(ReportText.duration(seconds) == text)
    }

    @Test("tables align columns, right-align numbers and trim trailing spaces")
    func table() {
        var table = TextTable([.init("NAME"), .init("COUNT", .right), .init("NOTE")])
        table.append(["alpha", "4", ""])
        table.append(["b", "1234567", "long note"])
        #expect(
            table.render() == """
                NAME     COUNT  NOTE
                -----  -------  ---------
                alpha        4
                b      1234567  long note
                """)
    }

    @Test("percentages and missing values")
    func percent() {
        #expect(ReportText.percent(0.75) == "75.0%")
        #expect(ReportText.percent(nil) == "-")
        #expect(ReportText.amounts([]) == "-")
    }
}
