/// The search form, and what a search that found nothing says.
enum SearchPage {
    static let path = "/search"

    static func page(query: String?) -> HTML {
        let outcome: HTML =
            query.map {
                "<p class=\"empty\" id=\"not-found\">No case or request <strong>\($0)</strong> in the ledger.</p>"
            } ?? ""
        return PageLayout.page(
            title: "Search", current: .search,
            body: """
                <h1>Search</h1>\(outcome)
                <form action="\(path)" method="get"><p><label>Case id or request id <input name="q" \
                value="\(query ?? "")" size="48"></label> <button type="submit">Find</button></p></form>
                """)
    }
}

/// The one page served without credentials: it says how to sign in, and nothing about the relay.
enum LoginErrorPage {
    static let html: String = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign-in required · freeze-relay</title></head>
        <body><h1>Sign-in required</h1>
        <p>This console needs its access token: open the URL with <code>?token=…</code> that the operator \
        was given, or send <code>Authorization: Bearer …</code>.</p></body></html>
        """
}

/// Pages for requests the console cannot answer.
enum NotFoundPage {
    static func page(_ what: String) -> HTML {
        PageLayout.page(title: "Not found", current: nil, body: "<h1>Not found</h1><p class=\"empty\">\(what)</p>")
    }
}
