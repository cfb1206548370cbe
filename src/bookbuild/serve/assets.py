"""Page assets of `bookbuild serve`, kept in Python so that every install carries them."""

LIVE_JS = r"""
// bookbuild serve: live reload over Server-Sent Events, plus a small status badge.
// The page was rendered from one build (data-edition + data-gen, or data-revision
// for the index); when /events reports a newer one, the page reloads itself and
// keeps its scroll position.
(() => {
  const me = document.currentScript;
  const edition = me.dataset.edition || "";
  const gen = me.dataset.gen || "";
  const revision = me.dataset.revision || "";
  const key = "bookbuild-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    const [x, y] = JSON.parse(saved);
    addEventListener("load", () => scrollTo(x, y));
  }

  const html = (tag) => document.createElementNS("http://www.w3.org/1999/xhtml", tag);
  const bar = html("div");
  bar.id = "bookbuild-bar";
  bar.setAttribute("style", "position:fixed;left:8px;bottom:8px;z-index:2147483647;" +
    "writing-mode:horizontal-tb;font:12px/1.4 system-ui,sans-serif;background:#222;color:#eee;" +
    "padding:4px 8px;border-radius:4px;opacity:.85");
  const links = [["index", "/"], ["◀ prev", me.dataset.prev], ["next ▶", me.dataset.next]];
  for (const [label, href] of links) {
    if (!href) continue;
    const a = html("a");
    a.href = href;
    a.textContent = label;
    a.setAttribute("style", "color:#9cf;margin-right:8px");
    bar.appendChild(a);
  }
  const status = html("span");
  bar.appendChild(status);
  addEventListener("DOMContentLoaded", () => document.body && document.body.appendChild(bar));

  const stale = (s) => {
    if (edition) {
      const e = s.editions[edition];
      return e !== undefined && e.gen !== 0 && String(e.gen) !== gen;
    }
    return String(s.revision) !== revision;
  };
  const events = new EventSource("/events");
  events.addEventListener("state", (ev) => {
    const s = JSON.parse(ev.data);
    status.textContent = `${s.status} · ${s.errors} errors · ${s.warnings} warnings`;
    status.style.color = s.errors ? "#f88" : "#eee";
    if (stale(s)) {
      sessionStorage.setItem(key, JSON.stringify([scrollX, scrollY]));
      events.close();
      location.reload();
    }
  });
})();
"""

PAGE_CSS = """
body { font: 14px/1.5 system-ui, "Noto Sans CJK TC", sans-serif; margin: 0; color: #222; background: #f6f6f4; }
header { background: #2b2b2b; color: #eee; padding: 8px 16px; }
header a { color: #9cf; }
main { padding: 8px 16px 48px; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 16px; margin: 20px 0 6px; }
table { border-collapse: collapse; background: #fff; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.error { color: #b00; font-weight: 600; }
.warning { color: #a60; font-weight: 600; }
.muted { color: #777; }
.hint { color: #555; font-size: 12px; }
.editions li { margin: 4px 0; }
.spreads { display: flex; flex-direction: column; gap: 16px; align-items: center; }
.spread { display: flex; flex-direction: row-reverse; gap: 2px; }
.spread figure { margin: 0; background: #fff; box-shadow: 0 1px 4px #0003; }
.spread figure.empty { background: none; box-shadow: none; }
.spread img { display: block; }
.spread figcaption { text-align: center; font-size: 12px; color: #555; }
pre.source { background: #fff; margin: 0; counter-reset: line; font: 14px/1.6 "Noto Sans Mono CJK TC", monospace; }
pre.source span { display: block; padding: 0 8px; white-space: pre-wrap; }
pre.source span::before { counter-increment: line; content: counter(line); display: inline-block;
  width: 4em; color: #999; }
pre.source span.hit { background: #fff3b0; }
pre.source mark { background: #f99; }
"""
