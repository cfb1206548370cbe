"""Sources (CSL YAML) and glossary entries of the stress book.

Values are written as JSON strings, which YAML reads verbatim, so a title
with a colon or a key such as `1944` never changes meaning.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from stress_text import TextMaker

ZH_PUBLISHERS = ("中華書局", "商務印書館", "國史館", "中央研究院近代史研究所", "傳記文學出版社",
                 "聯經出版公司", "正中書局", "三民書局", "時報文化", "遠流出版公司")
ZH_PLACES = ("臺北", "南京", "上海", "重慶", "北京", "香港", "長沙", "桂林")
JA_AUTHORS = ("防衛庁防衛研修所戦史室", "佐々木春隆", "伊藤正徳", "服部卓四郎", "堀場一雄",
              "秦郁彦", "戸部良一", "波多野澄雄")
JA_TITLES = ("一号作戦", "湖南の会戦", "支那事変陸軍作戦", "大東亜戦争全史", "昭和の陸軍",
             "中国戦線従軍記", "長沙作戦", "華中の戦場")
JA_PUBLISHERS = ("朝雲新聞社", "原書房", "中央公論社", "岩波書店", "吉川弘文館")
EN_FAMILY = ("Romanus", "Sunderland", "Mitter", "van de Ven", "Taylor", "Eastman", "Ch'i",
             "Hsiung", "Levine", "Peattie", "Drea", "MacKinnon", "Lary", "Tuchman")
EN_GIVEN = ("Charles", "Riley", "Rana", "Hans", "Jay", "Lloyd", "Hsi-sheng", "James", "Steven",
            "Mark", "Edward", "Stephen", "Diana", "Barbara")
EN_TITLE_A = ("Stilwell's Command Problems", "Time Runs Out in CBI", "Forgotten Ally",
              "War and Nationalism in China", "The Battle for China", "Seeds of Destruction",
              "Nationalist China at War", "China's Bitter Victory", "The Generalissimo",
              "Japan's War in China")
EN_PUBLISHERS = ("Stanford University Press", "Harvard University Press", "Routledge",
                 "Cambridge University Press", "Office of the Chief of Military History")


def q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Source:
    id: str
    lang: str          # zh, ja, en
    lines: list[str] = field(default_factory=list)

    def locator(self, tm: TextMaker) -> str:
        """A locator as an author would write it for this kind of source."""
        r = tm.rng.random()
        if self.lang == "en":
            return f"p. {tm.rng.randint(3, 480)}"
        if r < 0.6:
            return f"頁{tm.rng.randint(1, 640)}"
        return tm.year() + tm.date() if r < 0.8 else tm.date()


def make_sources(tm: TextMaker, count: int) -> list[Source]:
    out = []
    for i in range(1, count + 1):
        r = (i * 7919) % 100   # fixed mix: 60% Chinese, 15% Japanese, 25% Western
        lang = "zh" if r < 60 else "ja" if r < 75 else "en"
        src = Source(f"src-{lang}-{i:03d}", lang)
        src.lines = _source_lines(tm, src, i)
        out.append(src)
    return out


def _source_lines(tm: TextMaker, src: Source, i: int) -> list[str]:
    rng = tm.rng
    year = rng.randint(1945, 2020)
    lines = [f"- id: {src.id}"]
    if src.lang == "zh":
        kind = rng.choice(("book", "book", "article-journal", "manuscript", "chapter"))
        lines += [f"  type: {kind}", f"  title: {q(tm.work_title())}",
                  f"  author: [{{literal: {q(tm.person())}}}]",
                  f"  issued: {{date-parts: [[{year}]]}}", "  language: zh-Hant"]
        if kind == "article-journal":
            lines += [f"  container-title: {q(tm.word() + '季刊')}",
                      f"  volume: {q(str(rng.randint(1, 60)))}",
                      f"  page: {q(f'{rng.randint(1, 200)}-{rng.randint(201, 400)}')}"]
        elif kind == "manuscript":
            lines += [f"  archive: {q(rng.choice(ZH_PUBLISHERS[2:4]) + '檔案館')}"]
        else:
            lines += [f"  publisher: {q(rng.choice(ZH_PUBLISHERS))}",
                      f"  publisher-place: {q(rng.choice(ZH_PLACES))}"]
            if kind == "chapter":
                lines += [f"  container-title: {q(tm.work_title())}"]
    elif src.lang == "ja":
        lines += ["  type: book", f"  title: {q(rng.choice(JA_TITLES) + f'（{i}）')}",
                  f"  author: [{{literal: {q(rng.choice(JA_AUTHORS))}}}]",
                  f"  issued: {{date-parts: [[{year}]]}}",
                  f"  publisher: {q(rng.choice(JA_PUBLISHERS))}",
                  f"  publisher-place: {q('東京')}", "  language: ja"]
    else:
        lines += ["  type: book", f"  title: {q(rng.choice(EN_TITLE_A) + f', Volume {i}')}",
                  f"  author: [{{family: {q(rng.choice(EN_FAMILY))}, given: {q(rng.choice(EN_GIVEN))}}}]",
                  f"  issued: {{date-parts: [[{year}]]}}",
                  f"  publisher: {q(rng.choice(EN_PUBLISHERS))}",
                  f"  publisher-place: {q(rng.choice(('Stanford', 'New York', 'London')))}",
                  "  language: en"]
    return lines


@dataclass
class Term:
    key: str
    text: str
    by_key: bool       # entry keyed by its own text (no `term:` field)

    def markup(self, tm: TextMaker) -> str:
        """`[text]{.term}` or, for id-keyed entries, sometimes `key=`."""
        if not self.by_key and tm.rng.random() < 0.5:
            return f"[{self.text}]{{.term key={self.key}}}"
        return f"[{self.text}]{{.term}}"


def make_terms(tm: TextMaker, count: int) -> list[Term]:
    seen: set[str] = set()
    terms = []
    while len(terms) < count:
        text = tm.term_text()
        if text in seen:
            continue
        seen.add(text)
        i = len(terms) + 1
        by_key = i % 2 == 1
        terms.append(Term(text if by_key else f"term-{i:03d}", text, by_key))
    return terms


def glossary_yaml(tm: TextMaker, terms: list[Term]) -> str:
    out = []
    for i, t in enumerate(terms):
        out.append(f"{q(t.key)}:")
        if not t.by_key:
            out.append(f"  term: {q(t.text)}")
        out.append(f"  definition: {q(tm.plain_sentence() + tm.plain_sentence())}")
        if i % 5 == 0 and len(terms) > 1:
            # `see` may form cycles (allowed): point at the next entry, wrapping.
            out.append(f"  see: [{q(terms[(i + 1) % len(terms)].key)}]")
    return "\n".join(out) + "\n"


def sources_yaml(sources: list[Source]) -> str:
    return "\n".join(line for s in sources for line in s.lines) + "\n"
