/// Version 12: security escalations count the refusals they stand for.
///
/// Refusals for want of a valid signature are grouped (see `SecurityEscalationGroup` in Relay):
/// while a group's escalation is open, a further refusal of the group is counted on it instead of
/// opening another. `security_group` names the group (NULL for every other escalation) and
/// `refusals` the count, the opening refusal included. The partial index finds a group's open
/// escalation; it holds only open grouped rows, so it stays as small as the number of groups.
///
/// Neither column is one the metrics triggers of version 9 watch (`UPDATE OF bank_id, kind,
/// level, resolved_at`), so counting a refusal leaves `escalation_counts` exact and untouched.
/// Security escalations open before the upgrade have no group: the first refusal after it opens
/// a grouped one.
enum SecurityTallySchema {
    static let migration = Migration(
        version: 12, name: "security escalations count their refusals by group",
        sql: """
            ALTER TABLE escalations ADD COLUMN security_group TEXT;
            ALTER TABLE escalations ADD COLUMN refusals INTEGER;
            CREATE INDEX escalations_open_by_security_group ON escalations (security_group)
                WHERE resolved_at IS NULL AND security_group IS NOT NULL;
            """)
}
