/// The frame every console page shares: title, navigation, search box.
enum PageLayout {
    /// The sections in the navigation, with the path each lives at.
    enum Section: String, CaseIterable {
        case board = "/"
        case banks = "/banks"
        case deadLetters = "/dead-letters"
        case search = "/search"

        var title: String {
            switch self {
            case .board: "Escalations"
            case .banks: "Banks"
            case .deadLetters: "Dead letters"
            case .search: "Search"
            }
        }
    }

    static func page(title: String, current: Section?, body: HTML) -> HTML {
        let links = HTML.join(
            Section.allCases.filter { $0 != .search }.map { section -> HTML in
                let marker: HTML = section == current ? " class=\"current\"" : ""
                return "<a href=\"\(section.rawValue)\"\(marker)>\(section.title)</a>"
            })
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · freeze-relay</title>
            <link rel="stylesheet" href="\(ConsoleAssets.stylesheetPath)">
            </head><body>
            <header><span class="brand">freeze-relay console</span><nav>\(links)</nav>
            <form action="/search" method="get" role="search"><input type="search" name="q" \
            placeholder="case id or request id" aria-label="search by case id or request id"></form></header>
            <main>\(body)</main>
            <script src="\(ConsoleAssets.scriptPath)"></script>
            </body></html>
            """
    }
}
