/// The console's stylesheet and its one script, served from `/assets/` by the console itself:
/// no CDN, nothing fetched from elsewhere (the pages' Content-Security-Policy allows only
/// this origin), and no inline script for that policy to make an exception for.
enum ConsoleAssets {
    static let stylesheetPath = "/assets/console.css"
    static let scriptPath = "/assets/console.js"

    static let stylesheet = """
        :root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee8; --bg:#f5f7fb; --card:#fff; --accent:#1f5fbf;
          --ok:#2e7d32; --warn:#b26a00; --bad:#b3261e; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink);
          background:var(--bg); }
        header { background:#14213d; color:#fff; padding:10px 20px; display:flex; gap:24px; align-items:center;
          flex-wrap:wrap; }
        header .brand { font-weight:700; letter-spacing:.02em; }
        header nav a { color:#cfd8ea; text-decoration:none; margin-right:16px; }
        header nav a.current { color:#fff; border-bottom:2px solid #8ab4f8; }
        header form { margin-left:auto; }
        header input { padding:4px 8px; border-radius:4px; border:0; width:280px; }
        main { padding:16px 20px 40px; max-width:1400px; }
        h1 { font-size:20px; margin:4px 0 12px; }
        h2 { font-size:16px; margin:20px 0 8px; }
        table { border-collapse:collapse; background:var(--card); width:100%; margin-bottom:12px; }
        th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
        th { background:#eef1f7; font-weight:600; font-size:12px; text-transform:uppercase; color:var(--muted); }
        td.time { white-space:nowrap; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        .muted { color:var(--muted); }
        .badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:12px; background:#e3e8f2; }
        .level-1 { background:#fff1c2; } .level-2 { background:#ffd8a8; } .level-3, .level-4, .level-5 { background:#ffb3ad; }
        .cards { display:flex; gap:12px; flex-wrap:wrap; margin-bottom:12px; }
        .card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 14px; min-width:150px; }
        .card .label { font-size:12px; color:var(--muted); text-transform:uppercase; }
        .card .value { font-size:18px; font-weight:600; }
        .card.frozen .value { color:var(--ok); } .card.moving .value { color:var(--warn); }
        .card.exited .value { color:var(--bad); }
        .live { font-size:12px; color:var(--muted); }
        .live.on::before { content:"●"; color:var(--ok); margin-right:4px; }
        .graph { background:var(--card); border:1px solid var(--line); border-radius:6px; overflow:auto; max-height:75vh; }
        svg.trail text { font-size:11px; fill:#1d2433; }
        svg.trail text.head { font-weight:700; }
        svg.trail rect.node { stroke:#51607a; stroke-width:1; rx:6; }
        svg.trail .st-frozen { fill:#c8ebc8; } svg.trail .st-partially_frozen { fill:#dff0c0; }
        svg.trail .st-routed, svg.trail .st-acknowledged { fill:#ffe3ad; } svg.trail .st-funds_moved { fill:#cfe2f6; }
        svg.trail .st-rejected, svg.trail .st-account_not_found { fill:#f7c6c2; }
        svg.trail .st-other { fill:#eceff4; }
        svg.trail rect.exit { fill:#ffdad6; stroke:#b3261e; stroke-width:2; }
        svg.trail rect.limit { fill:#eeeeee; stroke:#888; stroke-dasharray:4 3; }
        svg.trail text.exit { fill:#b3261e; font-weight:700; }
        svg.trail text.missed { fill:#b3261e; font-weight:700; }
        svg.trail line.edge { stroke:#51607a; stroke-width:1.4; }
        svg.trail line.edge.exit { stroke:#b3261e; stroke-width:2; }
        svg.trail line.edge.join { stroke-dasharray:5 4; }
        svg.trail text.edge { fill:#3b4a66; }
        details summary { cursor:pointer; color:var(--accent); }
        pre { white-space:pre-wrap; word-break:break-all; background:#f0f2f7; padding:8px; border-radius:4px; }
        .empty { padding:12px; background:var(--card); border:1px dashed var(--line); color:var(--muted); }
        """

    /// Keeps the escalations board current: the server pushes the board's rendered body over
    /// server-sent events whenever the ledger's open escalations change; the browser only swaps it in.
    static let script = """
        (function () {
          var board = document.getElementById('board-live');
          if (!board || !window.EventSource) { return; }
          var status = document.getElementById('live-status');
          var source = new EventSource(board.getAttribute('data-events'));
          source.addEventListener('board', function (event) {
            board.innerHTML = event.data;
            if (status) { status.textContent = 'live, updated ' + new Date().toLocaleTimeString(); status.className = 'live on'; }
          });
          source.addEventListener('open', function () {
            if (status) { status.textContent = 'live'; status.className = 'live on'; }
          });
          source.addEventListener('error', function () {
            if (status) { status.textContent = 'reconnecting…'; status.className = 'live'; }
          });
        })();
        """
}
