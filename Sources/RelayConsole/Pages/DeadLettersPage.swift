import Ledger

/// Dead letters by reason code, newest first, each with its reason; the original message only
/// behind a `<details>` the operator opens.
enum DeadLettersPage {
    static let path = "/dead-letters"

    static func page(_ letters: [DeadLetterView], code selected: String?, scanned: Int) -> HTML {
        let counts = Dictionary(grouping: letters, by: \.code).mapValues(\.count)
        let codes = counts.keys.sorted().map { code -> HTML in
            let href = path + "?code=" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            return "<tr><td><a href=\"\(href)\">\(code)</a></td><td class=\"num\">\(counts[code]!)</td></tr>"
        }
        let shown = selected.map { code in letters.filter { $0.code == code } } ?? letters
        let items = shown.map { letter -> HTML in
            let original: HTML =
                letter.original.map {
                    "<details><summary>original message (personal data masked)</summary><pre>\($0)</pre></details>"
                } ?? "<span class=\"muted\">no original message kept</span>"
            return """
                <tr data-code="\(letter.code)"><td>\(letter.deadLetteredAt)</td><td><strong>\(letter.code)</strong></td>\
                <td>\(letter.message)\(letter.path.map { " <span class=\"muted\">at \($0)</span>" as HTML } ?? "")</td>\
                <td>\(letter.source)</td><td>\(letter.published ? "published" : "waiting")</td><td>\(original)</td></tr>
                """
        }
        let filter: HTML =
            selected.map { "<p>Showing code <strong>\($0)</strong> · <a href=\"\(path)\">show all</a></p>" } ?? ""
        let list: HTML =
            shown.isEmpty
            ? "<p class=\"empty\">No dead letter.</p>"
            : """
            <table class="dead-letters"><thead><tr><th>Dead-lettered</th><th>Code</th><th>Reason</th><th>Source</th>\
            <th>Published</th><th>Payload</th></tr></thead><tbody>\(HTML.join(items))</tbody></table>
            """
        return PageLayout.page(
            title: "Dead letters", current: .deadLetters,
            body: """
                <h1>Dead letters</h1>
                <h2>By code <span class="muted">(\(letters.count < scanned ? "all \(letters.count)" : "the newest \(scanned)"))</span></h2>
                <table class="codes"><thead><tr><th>Code</th><th class="num">Count</th></tr></thead>\
                <tbody>\(HTML.join(codes))</tbody></table>
                \(filter)<h2>Newest first</h2>\(list)
                """)
    }
}
