"""Books on disk for tests: the one factory (`make_book`), the templates it writes and the project's sample book.

Two templates: `BASE`, a one-chapter book with an epub and a print edition that each test breaks in one place,
and `PRINT_BASE`, a two-chapter print book long enough for several pages (the render/pdf tests).
"""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BOOK_TOML = '''[book]
title = "測試之書"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
chapters = [
  "manuscript/01.md",
]

[editions.epub]
format = "epub"
writing = "vertical"

[editions.print]
format = "pdf"
'''

CHAPTER = '''# 第一章　圍城

日軍於1944年6月23日進抵[衡陽]{.term}外圍[^a]，[方先覺]{.name}率[第十軍]{.term key=tenth}守城。

見[蔣中正日記]{.title}[@chiang, 7月20日]，戰事緊急[^b]。
'''

NOTES = '''[^a]: 日軍第十一軍進抵衡陽外圍。[@japan, 頁112]

[^b]: 第一段。

    續行縮排四格。
'''

SOURCES = '''- id: chiang
  type: manuscript
  title: 蔣中正日記
  author: [{literal: 蔣中正}]
  issued: {date-parts: [[1944]]}
- id: japan
  type: book
  title: 一号作戦
'''

GLOSSARY = '''tenth:
  term: 第十軍
  definition: 國民革命軍第十軍。
衡陽:
  definition: 湖南省城市。
  see: [tenth]
'''

BASE = {
    "book.toml": BOOK_TOML,
    "manuscript/01.md": CHAPTER,
    "footnotes/01.md": NOTES,
    "footnotes/sources.yaml": SOURCES,
    "footnotes/glossary.yaml": GLOSSARY,
}


# ---------------------------------------------------------------- the two-chapter print book

PRINT_CHAPTER1 = """# 圍城

## 外圍

民國三十三年春天，日軍發動所謂「一號作戰」，意在打通大陸交通線，並摧毀美軍在華南的機場。[方先覺]{.name}率領的[第十軍]{.term key=tenth}奉命死守[衡陽]{.term}，城中軍民都知道這是一場*不能退*的戰爭。[^n1]守軍兵力不足兩萬，而來犯的日軍第十一軍先後投入四個師團，雙方兵力懸殊，誰也沒有料到這座湘南小城竟能支撐四十七日之久。

六月二十三日凌晨，日軍第六十八師團[^n7]與第一一六師團自東南兩面逼近城郊，砲聲自黃昏響到天明。守軍依託湘江與蒸水構築工事，在城南的高地之間挖掘交通壕，又把民房的牆壁打通，使各據點之間可以互相支援。[^n2]當時美國總統Roosevelt致電重慶，詢問戰況，並允諾由陳納德的第十四航空隊加強空中支援；可是B-29轟炸機正忙於轟炸日本本土，能夠分給衡陽的飛機並不多。

八月七日夜裏，城中的[方先覺]{.name}[周慶祥]{.name}等人聯名發出最後一電——「彈盡援絕，人員傷亡殆盡」……此電是否真實，至今仍有爭論。[^n3]然而無論如何，衡陽守軍以寡敵眾，使日軍付出了極大的代價，這一點是中外史家都承認的，連美國OSS的報告也這樣說。戰後有人統計，日軍在衡陽一地的傷亡超過一萬九千人，其中軍官就有數百名之多。

## 城內

城內的百姓大多在戰前疏散到鄉間，留下來的多是老弱與不肯離家的人。他們替守軍搬運彈藥、掩埋屍體，也在夜裏冒著砲火把飯糰送上前線。有一位老人回憶說，那時候每天晚上都能聽見城南傳來的喊殺聲，到了天亮，街上便多了幾具無人認領的屍體。[^n4]守軍的糧食起初尚足，到了七月下旬便只能以稀粥度日，傷兵沒有藥品，只好用鹽水清洗傷口。

七月二十日前後，日軍第二次總攻失敗，暫時停止進攻，等待援軍與彈藥。這段短暫的平靜讓守軍得以修補工事，也讓城中的百姓稍得喘息。可是誰都明白，下一次總攻必然更加猛烈，而重慶方面允諾的援軍始終沒有出現在城外的山頭上。有人在日記裏寫道：「天天望援軍，援軍總不來。」這句話後來成了衡陽戰役最常被引用的一句話。

戰事最激烈的時候，第十軍的軍部設在城中一座中學的地下室裏，電話線被砲彈炸斷了又接上，接上了又被炸斷。參謀們輪流守在電臺旁邊，把前線的消息一條一條地抄下來，再由傳令兵送到各師的指揮所去。[^n5]
"""

PRINT_CHAPTER2 = """# 餘波

衡陽失守以後，日軍繼續南下，先後攻佔桂林與柳州，國軍在湘桂一線的防禦全面崩潰。重慶的報紙起初對衡陽的陷落語焉不詳，後來才陸續披露守軍苦戰的經過，[方先覺]{.name}等人的名字於是傳遍後方。[^n6]

[@chiang, 7月20日]蔣中正在日記中屢次提到衡陽，語氣由焦急轉為憤懣，這些文字直到晚近才公開。

戰後的爭論主要集中在兩件事上：一是守軍最後是否「投降」，二是援軍為何遲遲不到。這兩個問題牽涉到許多人的名譽，也牽涉到戰時的派系與政治，因此各方的說法往往互相矛盾，直到今天仍然沒有定論。
"""

PRINT_NOTES = """[^n1]: 關於一號作戰的全貌，參見日本防衛廳戰史室所編的戰史叢書。 [@japan, 頁112]

[^n2]: 守軍的工事配置，見第十軍參謀處的戰鬥詳報。

[^n3]: 此電的原文有數種版本，文字頗有出入，學者對其真偽意見不一。

[^n4]: 這段回憶見於戰後地方政府編印的訪談紀錄。

[^n5]: 參謀處的值勤日誌大部分毀於戰火，僅存的數頁現藏於檔案館。

[^n6]: 見當時重慶各報的報導。

[^n7]: 第六十八師團師團長佐久間為人中將於戰役初期負傷。
"""

PRINT_TOML = """[book]
title = "衡陽測試本"
authors = ["測試者"]
identifier = "urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201"
publisher = "測試書房"
chapters = [
  "manuscript/01.md",
  "manuscript/02.md",
]

[editions.print]
format = "pdf"
"""

# One edit of each input kind shared by the incremental tests of every cache (the
# page cache, kept chapters, EPUB chapter documents): (file, old text, new text).
EDIT_GLOSSARY = ("footnotes/glossary.yaml", "湖南省城市。", "湖南省城市，位於湘江與耒水交匯處。")
EDIT_SOURCE = ("footnotes/sources.yaml", "title: 一号作戦", "title: 一號作戰全史")
EDIT_BOOK_TOML = ("book.toml", 'title = "衡陽測試本"', 'title = "衡陽四十七日新本"')

PRINT_BASE = {**BASE, "book.toml": PRINT_TOML, "manuscript/01.md": PRINT_CHAPTER1,
              "manuscript/02.md": PRINT_CHAPTER2, "footnotes/01.md": PRINT_NOTES}


def make_book(root: Path, changes: dict[str, str | bytes | None] | None = None, base: dict | None = None) -> Path:
    """Write `base` (default BASE) under root with `changes` applied (a file changed to None is left out)."""
    files = dict(BASE if base is None else base)
    files.update(changes or {})
    for rel, content in files.items():
        if content is None:
            continue
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def copy_sample(dst: Path) -> Path:
    """A copy of the project's sample book (the repo root without code, tests, docs and tools — DAISY Ace's
    node_modules there is 100 MB) at dst."""
    shutil.copytree(REPO, dst, ignore=shutil.ignore_patterns(
        ".git", ".venv", "dist", ".bookbuild", "tests", "src", "bench", "docs", "tools", "__pycache__"))
    return dst

# A horizontal print edition of the geometry the sample's print-horizontal has (30 × 24 on A5).
PRINT_HORIZONTAL_EDITION = """
[editions.print-h]
format = "pdf"
writing = "horizontal"
chars_per_column = 30
columns_per_page = 24
note_chars_per_column = 36
margin_head = 25
margin_gutter = 20
"""
