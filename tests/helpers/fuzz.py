"""Hypothesis strategies for the fuzz tests: chapter and note Markdown built from the
pieces of the source format (docs/FORMAT.md), hostile bytes and random encodings,
and random books that `check` must accept without an error.

Two families:
- `chapter_text` / `notes_text` / `encoded`: anything goes (valid and broken syntax,
  control characters, every punctuation class of docs/VERTICAL-TYPOGRAPHY.md §3/§4).
- `valid_book`: only what the format allows, so `build` must succeed.
"""
from __future__ import annotations

from hypothesis import strategies as st

from helpers.books import BOOK_TOML, NOTES

# Real Traditional Chinese text (common characters of the sample book's register);
# every one of them is in Noto Serif CJK TC, so BB402 never fires on them.
HAN = ("日軍於年月進抵衡陽外圍方先覺率第十軍守城見蔣中正記戰事緊急一段續行縮排四格國民革命湖南省"
       "城市會議共同宣言林森主席已是八去世南按湘桂役札某臺灣總督府檔案說我們走吧他喬治華盛頓孫文公里人"
       "的了在有不這為以之與及其而也所上下中大小時間東西前後裡邊體憶電話報紙書寫讀學校醫院義勇雙龍鳳龜")
# §3 and §4: full-width marks, brackets, dashes, ellipses, connectors, interpuncts, quotes
FULL_PUNCT = list("、。，．：；！？‼⁇⁈⁉·‧・／「」『』（）《》〈〉【】〔〕〖〗［］｛｝～—–…‥⸺⸻⋯“”‘’―─－∼〜•※〃々〇　")
FULL_DIGITS = list("０１２３４５６７８９ＡＢＣａｂｃ")
ASCII_PUNCT = list(",.:;!?()\"'-~/%&*_+=<>|$#") + ["--", "...", "......", "。。。", "——"]
LATIN = ["Sun", "Yat-sen", "e.g.", "et al.", "pp. 12-15", "B-29", "J.R.R.", "https://x.tw/a?b=1",
         "a@b.tw", "doi:10.1000/182", "ISBN 978-957-000-000-0", "Hengyang"]
NUMBERS = ["3", "47", "1944", "14.8", "1:6.4", "10:30", "1/12", "1,000", "1944-08-08", "30~40",
           "30∼40", "8-9", "2.0.1", "8月7日", "3%"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u200b",
            "\u200e", "\u2028", "\u2029", "\ufeff", "\ufffd", "\t", "\r", "\r\n"]
STRAY = ["[", "]", "{", "}", "\\", "`", "``", "```", "<", ">", "*", "**", "_", "^", "@", "[^", "]{",
         "{.", ":::", "<!--", "-->", "|", "$", "\\[", "\\]", "[]", "{}", "[@", "@]", "]]", "[[", "\\\\"]

GOOD_IDS = ["a", "b", "n1", "hy-siege", "x_2"]
BAD_IDS = ["壞注", "a b", "", "a.b", "a,b", "^", " a", "a]", "[a", "@a"]
KEYS = ["chiang", "japan", "nosuch", "", "a:b", "x.y"]
TERMS = ["第十軍", "衡陽", "不存在", "tenth", ""]


def run_of(alphabet, min_size=1, max_size=12):
    return st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size).map("".join)


# Beyond the BMP (Ext. B, C, D, E, G), variation sequences (葛 + VS17, 兀 + VS1, which Noto maps),
# compatibility ideographs (豈 U+F900, 你 U+2F804), a lone selector: all in Noto Serif CJK TC too.
RARE = ["\U0002000B", "\U0002A7DD", "\U0002B746", "\U0002CE93", "\U00030EDD", "葛\U000E0100",
        "兀\uFE00", "\uF900", "\U0002F804", "\U000E0101"]
han_text = run_of(list(HAN) * 4 + RARE, 1, 20)
inline_text = st.lists(st.one_of(han_text, st.sampled_from(FULL_PUNCT), st.sampled_from(ASCII_PUNCT),
                                 st.sampled_from(NUMBERS), st.sampled_from(LATIN), st.just(" ")),
                       min_size=1, max_size=6).map("".join)


def _note_ref():
    ident = st.sampled_from(GOOD_IDS + BAD_IDS)
    again = st.sampled_from(["", "{.again}", "{ .again }", "{.again"])
    return st.tuples(ident, again).map(lambda t: f"[^{t[0]}]{t[1]}")


def _citation():
    key = st.sampled_from(KEYS)
    loc = st.sampled_from(["", ", 頁12", ", 1944年7月20日", ", 8月7日", ", pp. 12-15", ";"])
    form = st.sampled_from(["[@{k}{l}]", "[見 @{k}{l}]", "@{k}", "[-@{k}]", "[@{k}; @{k}{l}]", "[@]", "@",
                            "[@{k}"])
    return st.tuples(form, key, loc).map(lambda t: t[0].format(k=t[1], l=t[2]))


def _span():
    cls = st.sampled_from([".term", ".term key=tenth", ".term key=nosuch", ".name", ".title",
                           ".title kind=article", ".aside", ".noconv", ".again", ".unknown", "", "#id .term"])
    return st.tuples(st.one_of(han_text, inline_text), cls).map(lambda t: f"[{t[0]}]{{{t[1]}}}")


def _emphasis():
    mark = st.sampled_from(["*", "**", "_", "`"])
    return st.tuples(mark, han_text).map(lambda t: f"{t[0]}{t[1]}{t[0]}")


piece = st.one_of(
    han_text, han_text, han_text, inline_text,
    st.sampled_from(FULL_PUNCT), st.sampled_from(FULL_DIGITS), st.sampled_from(ASCII_PUNCT),
    st.sampled_from(NUMBERS), st.sampled_from(LATIN), st.sampled_from(CONTROLS), st.sampled_from(STRAY),
    _note_ref(), _citation(), _span(), _emphasis(),
    st.tuples(st.sampled_from(HAN + "，。「」—…,.\"" + "[]"), st.integers(200, 3000)).map(lambda t: t[0] * t[1]),
)
line = st.lists(piece, max_size=10).map("".join)
_prefix = st.sampled_from(["", "", "", "# ", "## ", "### ", "#", "- ", "* ", "1. ", "> ", "> > ", "    ", "\t",
                           "　　", "[^a]: ", "[^壞]: ", "::: aside", "::: {.aside}", ":::", ":::::::::::::",
                           "```", "~~~", "| ", "---", "***", "<div>", "%"])
block_line = st.tuples(_prefix, line).map("".join)


@st.composite
def chapter_text(draw):
    lines = draw(st.lists(block_line, max_size=25))
    if draw(st.booleans()):
        lines.insert(0, "# " + draw(han_text))
    return _join(draw, lines)


@st.composite
def notes_text(draw):
    defs = []
    for _ in range(draw(st.integers(0, 6))):
        ident = draw(st.sampled_from(GOOD_IDS + BAD_IDS))
        first = draw(line)
        more = draw(st.lists(st.tuples(st.sampled_from(["    ", "\t", "", "  "]), line).map("".join), max_size=3))
        defs.append("\n".join([f"[^{ident}]:{draw(st.sampled_from([' ', '', '  ', chr(9)]))}{first}", *more]))
        if draw(st.integers(0, 4)) == 0:
            defs.append(draw(block_line))
    return _join(draw, defs, sep=draw(st.sampled_from(["\n\n", "\n", "\n\n\n"])))


def _join(draw, lines, sep="\n"):
    """Lines joined with a random line ending (CRLF and lone CR included)."""
    nl = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = sep.replace("\n", nl).join(lines)
    return text + draw(st.sampled_from(["", nl, nl * 2]))


ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "big5", "gb18030"]


@st.composite
def encoded(draw, text_strategy):
    """(bytes, encoding) where the text could be encoded; else plain UTF-8."""
    text = draw(text_strategy)
    enc = draw(st.sampled_from(ENCODINGS))
    try:
        return text.encode(enc), enc
    except UnicodeEncodeError:
        return text.encode("utf-8"), "utf-8"


# ------------------------------------------------------------- valid books

V_IDS = [f"n{i}" for i in range(40)]
V_KEYS = ["chiang", "japan"]
V_TERMS = ["[第十軍]{.term}", "[衡陽]{.term}", "[方軍長]{.term key=tenth}"]
V_PUNCT = list("，。、；：！？") + ["「", "」", "《", "》", "……", "——"]
V_NUMBERS = ["3", "47", "1944年", "8月7日", "14.8公里", "10:30", "30～40", "1,000人"]


def _valid_inline(draw, refs: list[str]) -> str:
    """One sentence; note ids used are appended to refs (each used once)."""
    out = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 11))
        text = draw(han_text)
        if kind <= 3:
            out.append(text)
        elif kind == 4:
            out.append(draw(st.sampled_from(V_NUMBERS)))
        elif kind == 5:
            out.append(f"「{text}」")
        elif kind == 6:
            out.append(draw(st.sampled_from(V_TERMS)))
        elif kind == 7:
            out.append(draw(st.sampled_from([f"[{text}]{{.name}}", f"[{text}]{{.title}}",
                                             f"[{text}]{{.title kind=article}}", f"*{text}*"])))
        elif kind == 8:
            out.append(f"[南按：{text}]{{.aside}}")
        elif kind == 9:
            key = draw(st.sampled_from(V_KEYS))
            out.append(draw(st.sampled_from([f"[@{key}, 頁{len(text)}]", f"[見 @{key}]", f"[@{key}, 8月7日]"])))
        elif kind == 10 and len(refs) < len(V_IDS):
            refs.append(V_IDS[len(refs)])
            out.append(f"[^{refs[-1]}]")
        elif kind == 11 and refs:
            out.append(f"[^{draw(st.sampled_from(refs))}]{{.again}}")
        else:
            out.append(text)
        out.append(draw(st.sampled_from(V_PUNCT[:7])))
    return "".join(out) + "。"


@st.composite
def valid_chapter(draw, n: int, refs: list[str]) -> str:
    blocks = [f"# 第{'一二三四五'[n]}章　{draw(han_text)}"]
    for _ in range(draw(st.integers(1, 6))):
        form = draw(st.sampled_from(["p", "p", "p", "h2", "h3", "quote", "list", "olist"]))
        if form == "h2" or form == "h3":
            blocks.append(("## " if form == "h2" else "### ") + draw(han_text))
        elif form == "quote":
            blocks.append("> " + _valid_inline(draw, refs))
        elif form in ("list", "olist"):
            marks = ["- "] * 3 if form == "list" else ["1. ", "2. ", "3. "]
            blocks.append("\n".join(m + _valid_inline(draw, refs) for m in marks[:draw(st.integers(1, 3))]))
        else:
            blocks.append(_valid_inline(draw, refs))
    return "\n\n".join(blocks) + "\n"


def _valid_note(draw, ident: str) -> str:
    body = draw(han_text) + "。"
    extra = draw(st.sampled_from(["", " [@japan, 頁112]", "見[第十軍]{.term}。", "\n\n    續行縮排四格。",
                                  "[林森]{.name}。", "*要*。"]))
    return f"[^{ident}]: {body}{extra}"


VALID_EDITIONS = '''
[editions.epub-horizontal]
format = "epub"
writing = "horizontal"

[editions.epub-hans]
format = "epub"
script = "zh-Hans"
'''


@st.composite
def valid_book(draw) -> dict[str, str]:
    """make_book changes: 1–3 chapters whose notes, citations and terms all resolve.
    Both sources and both glossary entries are used (no BB202/BB302 warnings needed,
    but they would be allowed)."""
    refs: list[str] = []
    n = draw(st.integers(1, 3))
    files = {f"manuscript/{i + 1:02}.md": draw(valid_chapter(i, refs)) for i in range(n)}
    files["manuscript/01.md"] += "\n見[蔣中正日記]{.title}[@chiang, 7月20日]，[衡陽]{.term}與[第十軍]{.term}。\n"
    files["manuscript/01.md"] += "\n" + "".join(f"[^{i}]" for i in ("a", "b")) + "\n"
    chapters = "".join(f'  "manuscript/{i + 1:02}.md",\n' for i in range(n))
    toml = BOOK_TOML.replace('  "manuscript/01.md",\n', chapters)
    if n > 1 and draw(st.booleans()):   # the last chapter as back matter
        last = f'"manuscript/{n:02}.md"'
        toml = toml.replace(f"  {last},", f'  {{ file = {last}, kind = "back" }},')
    numbering = draw(st.sampled_from(["chapter", "book"]))
    toml = toml.replace('title = "測試之書"', f'title = "測試之書"\nnote_numbering = "{numbering}"')
    # keys of [editions.print], the last table of BOOK_TOML
    toml += "".join(draw(st.lists(st.sampled_from([
        'numerals = "upright"\n', 'numerals = "chinese"\n', 'numerals = "sideways"\n', 'notes = "chapter"\n',
        'folio = "hanzi-vertical"\n', 'running_head = "fore-edge"\n', 'title_marks = "wavy"\n',
        'kinsoku = "strict"\n', 'hanging = true\n', 'squeeze = true\n']), unique=True, max_size=3)
        .filter(lambda keys: len({k.split("=")[0] for k in keys}) == len(keys))))
    files["book.toml"] = toml + VALID_EDITIONS
    files["footnotes/01.md"] = NOTES + "".join("\n" + _valid_note(draw, i) + "\n" for i in refs)
    return files
