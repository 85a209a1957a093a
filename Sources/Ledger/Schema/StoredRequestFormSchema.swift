/// Version 15: requests' JSON stored in phrase form (``StoredRequestJSON``): keys and the
/// punctuation around them as single bytes, which takes the requests table from about 821 to
/// about 456 bytes per request in the bench's ledger.
///
/// No table changes and no row is rewritten: rows written before keep their JSON, and this
/// version and later ones read both forms. The version exists so that an older binary, which
/// cannot read the phrase form, refuses the ledger as written by a newer one (`schemaTooNew`)
/// instead of failing on the first new request it reads; going back means restoring the backup
/// taken before the upgrade. `ledger_meta` records the form, for whoever inspects the file.
enum StoredRequestFormSchema {
    static let version = 15

    static let migration = Migration(
        version: version, name: "requests stored in phrase form",
        sql: """
            INSERT INTO ledger_meta (key, value) VALUES ('request_json_form', 'phrases-1')
                ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """)
}
