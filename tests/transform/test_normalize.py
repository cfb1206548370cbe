"""docs/VERTICAL-TYPOGRAPHY.md §4: the normalizer rows, fix vs render, protected spans."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookbuild.check.punctuation import punctuation_diagnostics
from bookbuild.transform.normalize import Change, apply_changes, fix_text, normalize_for_render, quote_problems
from bookbuild.transform.protected_spans import protected_spans
from helpers.books import REPO


def fix(s: str, **kw) -> str:
    return fix_text(s, [], **kw)[0]


def render(s: str, pdf: bool = False, **kw) -> str:
    return normalize_for_render(s, pdf=pdf, **kw)


# ------------------------------------------------------ per row, both ways
# (input, expected) — every case must hold for fix_text AND normalize_for_render
FIX_ROWS = {
    "row2 indent": [("\u3000\u3000他說好。", "他說好。"), ("  他說好。", "他說好。"),
                    ("他說\n\u3000\u3000好。", "他說\n好。"), ("他說\u3000好。", "他說\u3000好。")],
    "row6 interpunct": [("喬治.華盛頓", "喬治·華盛頓"), ("約翰‧甘迺迪", "約翰·甘迺迪"),
                        ("喬治.W.布希", "喬治·W·布希"), ("馬克•吐溫", "馬克·吐溫"),
                        ("J.R.R.托爾金", "J.R.R.托爾金")],
    "row7 comma": [("他說,我們", "他說，我們"), ("1,000人", "1,000人"), ("Hello, world", "Hello, world"),
                   ("衡陽,長沙", "衡陽，長沙")],
    "row8 period": [("他走了.", "他走了。"), ("他走了.我們也走.", "他走了。我們也走。"),
                    ("1.7公里", "1.7公里"), ("e.g. 他", "e.g. 他"), ("et al. 著", "et al. 著"),
                    ("見第3章.", "見第3章。"), ("I went home.", "I went home."),
                    ("日軍OSS.", "日軍OSS。"), ("使用Node.js開發", "使用Node.js開發"),
                    ("他走了.\n", "他走了。\n")],
    "row9 colon etc": [("他說:好", "他說：好"), ("走吧!", "走吧！"), ("真的?", "真的？"),
                       ("甲;乙", "甲；乙"), ("10:30出發", "10:30出發"),
                       ("見https://x.tw/a?b=1", "見https://x.tw/a?b=1"), ("參數?id=3", "參數?id=3"),
                       ("1:50,000地圖", "1:50,000地圖"), ("Note: fine", "Note: fine")],
    "row10 parens": [("孫文(Sun Yat-sen)是", "孫文（Sun Yat-sen）是"), ("(衡陽)", "（衡陽）"),
                     ("He (and she) went", "He (and she) went"), ("他(說", "他(說")],
    "row11 quotes": [('他說"走吧"', "他說「走吧」"), ("他說“走吧”", "他說「走吧」"),
                     ("他說\"走'好'吧\"", "他說「走『好』吧」"), ("「他說\"好\"」", "「他說『好』」"),
                     ('He said "hi"', 'He said "hi"'), ('他說"走吧', '他說"走吧'),
                     ("don't 中文", "don't 中文")],
    "row12 dash": [("他說--我們", "他說——我們"), ("他說—我們", "他說——我們"), ("他說―我們", "他說——我們"),
                   ("他說──我們", "他說——我們"), ("他說－－我們", "他說——我們"), ("他說——我們", "他說——我們"),
                   ("word--word", "word--word")],
    "row13 ellipsis": [("等等...", "等等……"), ("等等…", "等等……"), ("等等......", "等等……"),
                       ("好。。。", "好……"), ("好⋯", "好……"), ("Wait...", "Wait...")],
    "row14 range": [("1944-1945年", "1944～1945年"), ("30~40度", "30～40度"), ("30∼40度", "30～40度"),
                    ("30〜40度", "30～40度"), ("1944-08-08", "1944-08-08"), ("pp. 12-15", "pp. 12-15"),
                    ("B-29轟炸", "B-29轟炸"), ("電話02-2345", "電話02-2345")],
}
CASES = [(row, a, b) for row, pairs in FIX_ROWS.items() for a, b in pairs]


@pytest.mark.parametrize("row,source,expected", CASES, ids=[f"{r}:{a}" for r, a, _ in CASES])
def test_fix_rows(row, source, expected):
    assert fix(source) == expected
    assert render(source) == expected


def test_spec_examples():
    assert fix("他說,我們走吧!") == "他說，我們走吧！"
    for unchanged in ("1.7公里", "10:30", "1,000人", "1944-08-08", "https://x.tw/a?b=1", "pp. 12-15"):
        assert fix(unchanged) == unchanged
        assert render(unchanged, pdf=True) == unchanged


def test_range_and_interpunct_options():
    assert fix("1944-1945年", range_mark="至") == "1944至1945年"
    assert fix("1944～1945年", range_mark="至") == "1944至1945年"
    assert fix("喬治.華盛頓", interpunct="‧") == "喬治‧華盛頓"
    assert fix("喬治·華盛頓", interpunct="・") == "喬治・華盛頓"


# ------------------------------------------------------ render-only rows

@pytest.mark.parametrize("source,expected,pdf", [
    ("e\u0301", "é", False),                         # row 1 NFC
    ("\uf900", "\uf900", False),                     # row 1: compatibility ideograph kept
    ("\u2f00\u2e8c", "一小", False),                 # row 1: radicals -> unified
    ("他 說", "他說", False),                        # row 3
    ("用 Python 寫", "用 Python 寫", False),          # row 4: epub keeps
    ("用 Python 寫", "用Python寫", True),             # row 4: pdf removes
    ("１２３人ＡＢ", "123人AB", False),               # row 5
    ("他說, 我們", "他說，我們", False),              # rows 7 then 3 (repeated pass)
])
def test_render_rows(source, expected, pdf):
    assert render(source, pdf=pdf) == expected


def test_fix_leaves_non_fix_rows_alone():
    for s in ("e\u0301中文", "１２３人", "他 說", "用 Python 寫", "\uf900", "\u2f00"):
        assert fix(s) == s


def test_inline_object_survives():
    s = "走吧\ufffc!他說,\ufffc好"
    out = render(s)
    assert out == "走吧\ufffc！他說，\ufffc好"
    assert out.count("\ufffc") == 2


# ------------------------------------------------------ changes and protection

def test_changes_are_offsets_into_input():
    src = "他說,我們走吧...好--嗎"
    new, changes = fix_text(src, [])
    assert apply_changes(src, changes) == new
    assert changes[0] == Change(2, 3, ",", "，")
    for c in changes:
        assert src[c.start:c.end] == c.old


def test_protected_spans_never_change():
    src = "他說,[^n1]:我們`a,b`走!"
    spans = [(4, 11), (14, 19)]
    new, changes = fix_text(src, spans)
    assert all(c.end <= a or c.start >= b for c in changes for a, b in spans)
    assert "[^n1]:" in new and "`a,b`" in new


def test_context_looks_through_note_calls():
    md = "走吧[^n1]!\n\n衡陽[^a],長沙\n"
    new, _ = fix_text(md, protected_spans(md))
    assert new == "走吧[^n1]！\n\n衡陽[^a]，長沙\n"


def test_context_stops_at_blank_line():
    assert fix("Hello world!\n\n中文段落") == "Hello world!\n\n中文段落"


# ------------------------------------------------------ idempotence (hypothesis)

ALPHABET = list("他說我們走吧好的衡陽喬治華盛頓年月日人") + list(",.:;!?()\"'“”‘’-~") + \
    list("0123456789abcXY ") + ["\n", "\n\n", "\u3000", "…", "—", "「", "」", "『", "』", "１", "Ａ",
                               "\ufffc", "～", "。", "，", "·", "‧", "e\u0301", "https://x.tw/a?b=1"]
texts = st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.booleans())
def test_render_idempotent(s, pdf):
    once = normalize_for_render(s, pdf=pdf)
    assert normalize_for_render(once, pdf=pdf) == once
    assert once.count("\ufffc") == s.count("\ufffc")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_fix_idempotent(s):
    once, changes = fix_text(s, [])
    assert apply_changes(s, changes) == once
    twice, more = fix_text(once, [])
    assert twice == once and more == []


MD_ALPHABET = ALPHABET + ["[^n1]", "[@key, 頁3]", "[林森]{.name}", "`a,b`", "\n> ", "\n- ", "\n# ",
                          "*", "<!-- a,b -->", "[x](http://a.b/c?d=1)", " | "]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(MD_ALPHABET), max_size=30).map("".join))
def test_fix_markdown_idempotent_and_protected(md):
    spans = protected_spans(md)
    once, changes = fix_text(md, spans)
    for c in changes:   # protected spans byte-identical
        assert all(c.end <= a or c.start >= b for a, b in spans), (c, spans)
    twice, more = fix_text(once, protected_spans(once))
    assert twice == once, more


# ------------------------------------------------------ quotes (BB404 data)

@pytest.mark.parametrize("text,bad", [
    ("他說「走吧。", ["「"]),
    ("他說走吧」。", ["」"]),
    ("「他說『好」", ["『"]),
    ('他說"走吧。', ['"']),
    ("「好」『對』", []),
    ('He said "hi', []),                                  # Latin context: not reported
    ("「第一段。\n\n「第二段。」", []),                    # quotation over two paragraphs
    ("「第一段。\n\n第二段。", ["「"]),
])
def test_quote_problems(text, bad):
    assert [text[i] for i in quote_problems(text, [])] == bad


# ------------------------------------------------------ corpus: the sample book

def _dirty(text: str) -> str:
    """The text with its punctuation typed in ASCII — outside the spans the normalizer never
    touches (code, URLs, attribute blocks such as a figure's alt="…"), which stay as written."""
    out, at = [], 0
    for a, b in sorted(protected_spans(text)) + [(len(text), len(text))]:
        a = max(a, at)
        out += [_ascii(text[at:a]), text[a:max(a, b)]]
        at = max(at, b)
    return "".join(out)


def _ascii(text: str) -> str:
    for a, b in (("，", ","), ("。", "."), ("：", ":"), ("；", ";"), ("！", "!"), ("？", "?"),
                 ("（", "("), ("）", ")"), ("「", '"'), ("」", '"'), ("『", "'"), ("』", "'"),
                 ("……", "..."), ("——", "--")):
        text = text.replace(a, b)
    return text


SAMPLE = list((REPO / "manuscript").glob("*.md")) + list((REPO / "footnotes").glob("*.md"))


@pytest.mark.parametrize("path", SAMPLE, ids=[p.name for p in SAMPLE])
def test_sample_book_round_trip(path):
    """ASCII-ified sample text is fixed back to the author's punctuation, the
    clean text needs no fix, and no ASCII punctuation stays next to Han."""
    clean = path.read_text(encoding="utf-8")
    assert fix_text(clean, protected_spans(clean))[1] == []
    dirty = _dirty(clean)
    fixed, _ = fix_text(dirty, protected_spans(dirty))
    assert fixed == clean
    mask = bytearray(len(fixed))
    for a, b in protected_spans(fixed):
        mask[a:b] = b"\x01" * (b - a)
    from bookbuild.transform.norm_chars import is_han
    for m in re.finditer(r'[,.:;!?()"]', fixed):
        i = m.start()
        if mask[i]:
            continue
        near = fixed[max(i - 1, 0):i] + fixed[i + 1:i + 2]
        assert not any(is_han(c) for c in near), (path.name, fixed[i - 10:i + 10])


def test_bb401_positions_equal_fix_changes():
    text = "# 標題\n\n他說,我們走吧!\n\u3000\u3000\n[^a]: 見「書」.\n"
    diags = [d for d in punctuation_diagnostics("manuscript/01.md", text) if d.code == "BB401"]
    _, changes = fix_text(text, protected_spans(text))
    starts = []
    for c in changes:
        line = text.count("\n", 0, c.start) + 1
        col = c.start - (text.rfind("\n", 0, c.start) + 1) + 1
        starts.append((line, col))
    assert [(d.line, d.col) for d in diags] == starts
    assert (3, 3) in starts and (3, 8) in starts


# ---------------------------------------------- protected spans

def _protected_text(md: str) -> list[str]:
    return [md[a:b] for a, b in protected_spans(md)]


@pytest.mark.parametrize("md,expected", [
    ("走吧[^hy-1]!", ["[^hy-1]"]),
    ("[^a]: 注文。", ["[^a]: "]),
    ("見[@chiang-diary-1944, 1944年7月20日].", ["[@chiang-diary-1944, 1944年7月20日]"]),
    ("[見 @tang, 8月7日]", ["[見 @tang, 8月7日]"]),
    ("[林森]{.name},", ["[", "]{.name}"]),
    ("[方軍長]{.term key=fang-xianjue}", ["[", "]{.term key=fang-xianjue}"]),
    ("[Hello, world!]{lang=en}", ["[Hello, world!]{lang=en}"]),
    ("[網站](https://x.tw/a?b=1)", ["[", "](https://x.tw/a?b=1)"]),
    ("![圖](assets/a.png)", ["![", "](assets/a.png)"]),
    ("用`a,b`寫", ["`a,b`"]),
    ("甲<!-- 註, 解 -->乙", ["<!-- 註, 解 -->"]),
    ("---\ntitle: a, b\n---\n正文", ["---\ntitle: a, b\n---\n"]),
    ("```\na, b\n```\n", ["```\na, b\n```"]),
    ("# 標題\n", ["# "]),
    ("> 引文\n", ["> "]),
    ("- 項目\n1. 項目\n", ["- ", "1. "]),
    ("*重要*", ["*", "*"]),
    ("| 甲 | 乙 |\n|---|---|\n", ["| ", " | ", " |", "|---|---|"]),
    ("前\n\n---\n\n後", ["---"]),
    ("見https://x.tw/a?b=1。", ["https://x.tw/a?b=1"]),
    ("[^a]: 第一段。\n\n    續行。", ["[^a]: ", "    "]),
    ("    code, here\n", ["    code, here"]),
    ("價格$100與$200", []),                              # not math (Pandoc's $ rule)
    ("\\*不是強調\\*", ["\\*", "\\*"]),
    ("中&nbsp;文&#12290;", ["&nbsp;", "&#12290;"]),
])
def test_protected_spans(md, expected):
    assert _protected_text(md) == expected


def test_fix_keeps_markdown_syntax():
    md = ("---\ntitle: a, b\n---\n\n# 第一章: 開始\n\n> 他說,走吧!\n\n- 甲,乙\n- 丙.\n\n"
          "| 甲, 乙 | 丙 |\n|---|---|\n\n見[@k, p. 3-5],[林森]{.name}說:\"好\"[^n1].\n\n"
          "```\nx, y\n```\n\n[連結](https://x.tw/a?b=1) `a,b`\n")
    new, _ = fix_text(md, protected_spans(md))
    assert new == ("---\ntitle: a, b\n---\n\n# 第一章： 開始\n\n> 他說，走吧！\n\n- 甲，乙\n- 丙。\n\n"
                   "| 甲， 乙 | 丙 |\n|---|---|\n\n見[@k, p. 3-5]，[林森]{.name}說：「好」[^n1]。\n\n"
                   "```\nx, y\n```\n\n[連結](https://x.tw/a?b=1) `a,b`\n")


@pytest.mark.parametrize("run", [3, 17, 201, 2001])
def test_a_run_of_quotes_in_cjk_context_is_fixed_at_once(run):
    """Row 11 converts every pair a converted neighbour puts in CJK context in one pass
    (it used to take one normalizer pass per pair, so `fix` stopped half way after its
    eight passes and a second `fix` changed the file again; found by test_fuzz)."""
    text = "注文、\u201c" + '"' * run + "後記。"
    once, _ = fix_text(text, [])
    twice, _ = fix_text(once, [])
    assert twice == once
    assert once.count('"') == (0 if run % 2 else run)   # an odd run pairs off completely
    if run % 2:
        assert once.startswith("注文、「」「」") and "』" not in once   # side by side: no nesting
