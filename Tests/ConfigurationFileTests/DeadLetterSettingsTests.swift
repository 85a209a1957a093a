import ConfigurationFile
import Testing

/// `ledger.dead_letter_retention` and `ledger.max_dead_letter_bytes`.
@Suite struct DeadLetterSettingsTests {
    @Test func defaultsAreThirtyDaysAnd256MiB() {
        let settings = LedgerSettings()
        #expect(settings.deadLetterRetention == .seconds(30 * 86_400))
        #expect(settings.maxDeadLetterBytes == 268_435_456)
        #expect(RelayConfiguration().redactedDump().contains("dead_letter_retention: 30d"))
        #expect(RelayConfiguration().redactedDump().contains("max_dead_letter_bytes: 256MiB"))
    }

    @Test func fileValuesWithUnitsOrPlainBytes() throws {
        let config = try #require(
            loaded(
                """
                ledger:
                  dead_letter_retention: 7d12h
                  max_dead_letter_bytes: 2GiB
                """)
        ).configuration
        #expect(config.ledger.deadLetterRetention == .seconds(7 * 86_400 + 12 * 3600))
        #expect(config.ledger.maxDeadLetterBytes == 2 << 30)
        let plain = try #require(loaded("ledger:\n  max_dead_letter_bytes: 3_145_728\n")).configuration
        #expect(plain.ledger.maxDeadLetterBytes == 3 << 20)
        // The dump writes the canonical forms, and they load back.
        let dump = config.redactedDump()
        #expect(
            dump.contains("dead_letter_retention: 7d12h") && dump.contains("max_dead_letter_bytes: 2GiB"), "\(dump)")
        #expect(try #require(loaded(dump)).configuration == config)
    }

    @Test func environmentOverridesBothKeys() throws {
        let config = try #require(
            loaded(
                "",
                environment: [
                    "FREEZE_RELAY_LEDGER__DEAD_LETTER_RETENTION": "90d",
                    "FREEZE_RELAY_LEDGER__MAX_DEAD_LETTER_BYTES": "64MiB",
                ])
        ).configuration
        #expect(config.ledger.deadLetterRetention == .seconds(90 * 86_400))
        #expect(config.ledger.maxDeadLetterBytes == 64 << 20)
        let errors = failures("", environment: ["FREEZE_RELAY_LEDGER__MAX_DEAD_LETTER_BYTES": "64MB"])
        #expect(
            error(at: "ledger.max_dead_letter_bytes", in: errors)?.description.contains(
                "FREEZE_RELAY_LEDGER__MAX_DEAD_LETTER_BYTES") == true)
    }

    @Test func badValuesAreReportedWithTheirLineAndColumn() throws {
        let errors = failures(
            """
            ledger:
              dead_letter_retention: 0s
              max_dead_letter_bytes: 256MB
            """)
        let retention = try #require(error(at: "ledger.dead_letter_retention", in: errors))
        #expect(retention.message == "must be longer than zero")
        #expect(retention.line == 2 && retention.column == 26)
        let size = try #require(error(at: "ledger.max_dead_letter_bytes", in: errors))
        #expect(
            size.message
                == "invalid size \"256MB\": unknown unit \"MB\"; use KiB, MiB, GiB or TiB (binary units), or a plain number of bytes"
        )
        #expect(size.line == 3 && size.column == 26)
        #expect(size.description.hasPrefix("\(fileName):3:26: ledger.max_dead_letter_bytes: "), "\(size.description)")
        #expect(errors.errors.count == 2)
    }

    @Test(arguments: [
        ("300", "a number lacks its unit"), ("1.5d", "fractions are not supported"), ("[30d]", "expected a duration"),
    ])
    func badRetentions(text: String, why: String) throws {
        let problem = try #require(
            error(at: "ledger.dead_letter_retention", in: failures("ledger:\n  dead_letter_retention: \(text)\n")))
        #expect(problem.message.contains(why), "\(problem.message)")
    }

    @Test(arguments: [
        ("512KiB", "must be between 1MiB and 1TiB, found 512KiB"),
        ("2TiB", "must be between 1MiB and 1TiB, found 2TiB"),
        ("-5", "expected a whole number of bytes"), ("true", "expected a size such as 256MiB, found"),
        ("99999999999999999999", "is too large"), ("9000000TiB", "is too large"),
    ])
    func badSizes(text: String, why: String) throws {
        let problem = try #require(
            error(at: "ledger.max_dead_letter_bytes", in: failures("ledger:\n  max_dead_letter_bytes: \(text)\n")))
        #expect(problem.message.contains(why), "\(problem.message)")
    }

    @Test func sizeTextFormatsWithTheLargestExactUnit() {
        #expect(ByteSizeText.format(268_435_456) == "256MiB")
        #expect(ByteSizeText.format(1536) == "1536B")
        #expect(ByteSizeText.format(1000) == "1000B")
        #expect(ByteSizeText.format(0) == "0B")
        #expect(ByteSizeText.format(1 << 40) == "1TiB")
        for bytes: Int64 in [1, 1000, 1 << 20, 3 << 30, 5 << 40, 123_456_789] {
            #expect((try? ByteSizeText.parse(ByteSizeText.format(bytes)).get()) == bytes)
        }
        #expect((try? ByteSizeText.parse(" 12 MiB ").get()) == 12 << 20)
    }
}
