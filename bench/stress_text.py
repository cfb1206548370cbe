"""Text material for the stress book: words, names, numbers, sentences.

Everything is drawn from one `random.Random`, so a given seed always gives
the same text.  The word pool (lexicon.txt, ~7,000 real Traditional Chinese
words covering ~4,400 Big5 level-1 characters) is mixed with a hand-written
list of function words, so the text has the rhythm of prose and, over a
full-size book, thousands of distinct characters for font subsetting and
line breaking to chew on.  All punctuation is full-width (the book must
check clean: no BB401).
"""
from __future__ import annotations

import random
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon.txt")

FUNCTION_WORDS = ["的", "了", "在", "是", "也", "都", "就", "又", "與", "和", "及", "而", "但", "並", "從", "對", "於", "將", "把", "被", "由", "向", "以", "為", "其", "此", "該", "各", "每", "這", "那", "這些", "那些", "我們", "他們", "自己", "已經", "仍然", "因此", "所以", "然而", "但是", "不過", "如果", "雖然", "因為", "於是", "同時", "後來", "當時", "此後", "之後", "之前", "以後", "以來", "一直", "終於", "立即", "逐漸", "大約", "至少", "只有", "並且", "而且", "甚至", "尤其", "例如", "不得不", "可以", "必須", "應該", "能夠", "開始", "繼續", "表示", "認為", "指出", "發現", "決定", "準備", "進行", "得到", "成為", "沒有", "不是", "一些", "許多", "所有", "其中", "之間", "方面", "情況", "問題", "時候", "地方", "部隊", "戰事", "城內", "城外", "守軍", "日軍", "陣地", "命令", "電報", "日記", "回憶", "記載", "資料", "檔案", "長官", "士兵", "百姓", "糧食", "彈藥", "援軍", "傷亡", "突圍", "固守", "撤退", "反攻"]

SURNAMES = (
    "王李張劉陳楊黃趙周吳徐孫胡朱高林何郭馬羅梁宋鄭謝韓唐馮于董蕭程曹袁鄧許傅沈曾彭呂蘇盧蔣蔡"
    "賈丁魏薛葉閻余潘杜戴夏鍾汪田任姜范方石姚譚廖鄒熊金陸郝孔白崔康毛邱秦江史顧侯邵孟龍萬段章"
    "錢湯尹黎易常武喬賀賴龔文"
)
GIVEN = (
    "先覺伯仲志德明國華中正文武英俊忠孝仁義禮智信興漢岳光輝成建立振宗承廷雲鵬飛海山超榮昌遠達"
    "清和平安順泰勳誠毅強懷慶樹森柏松蘭芳玉秀惠淑貞靜嘉瑞祥福壽鴻鈞銘鐸聲揚"
)
# (name in CJK text, Latin original): exercises Latin runs in CJK context.
FOREIGN = (
    ("史迪威", "Joseph Stilwell"), ("陳納德", "Claire Chennault"),
    ("魏德邁", "Albert Wedemeyer"), ("羅斯福", "Franklin Roosevelt"),
    ("邱吉爾", "Winston Churchill"), ("蒙巴頓", "Louis Mountbatten"),
    ("赫爾利", "Patrick Hurley"), ("喬治·馬歇爾", "George Marshall"),
    ("白修德", "Theodore White"), ("費正清", "John King Fairbank"),
)
LATIN_WORDS = ("B-29", "P-40", "P-51", "C-47", "Blitzkrieg", "OSS", "Ichi-go", "Hump", "radar")
TITLE_SUFFIX = ("日記", "回憶錄", "戰史", "紀要", "彙編", "文集", "實錄", "通訊", "檔案選輯", "年譜")
TERM_SUFFIX = ("軍", "師", "團", "部", "站", "所", "隊", "號", "區", "線", "會", "戰役", "工事", "要塞")
CLAUSE_SEP = ("，", "，", "，", "，", "、", "；", "：")
END_PUNCT = ("。",) * 12 + ("！", "？", "……。")


def load_lexicon() -> list[str]:
    return LEXICON.read_text(encoding="utf-8").split()


class TextMaker:
    """Draws words, names, numbers and sentences from one seeded RNG."""

    def __init__(self, rng: random.Random, lexicon: list[str]):
        self.rng = rng
        self.lex = lexicon
        self.top = lexicon[:800]   # the "frequent" words

    # ------------------------------------------------------------ words
    def word(self) -> str:
        r = self.rng.random()
        if r < 0.40:
            return self.rng.choice(self.top)
        return self.rng.choice(self.lex)

    def function_word(self) -> str:
        return self.rng.choice(FUNCTION_WORDS)

    def person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def work_title(self) -> str:
        return self.word() + self.rng.choice(("", self.word())) + self.rng.choice(TITLE_SUFFIX)

    def term_text(self) -> str:
        return self.word() + self.rng.choice(TERM_SUFFIX)

    # ---------------------------------------------------------- numbers
    def date(self) -> str:
        """`8月7日`: two tcy runs."""
        return f"{self.rng.randint(1, 12)}月{self.rng.randint(1, 28)}日"

    def year(self) -> str:
        return f"{self.rng.randint(1931, 1949)}年"

    def number_phrase(self) -> str:
        rng = self.rng
        kind = rng.randrange(7)
        if kind == 0:
            return self.year() + self.date()
        if kind == 1:
            return self.date()
        if kind == 2:
            return f"{rng.randint(10, 99)}.{rng.randint(1, 9)}公里"   # decimal, sideways
        if kind == 3:
            return f"{rng.randint(1000, 9999)}人"                     # 4 digits, sideways
        if kind == 4:
            return f"第{rng.randint(1, 99)}{rng.choice('軍師團')}"     # tcy
        if kind == 5:
            return f"民國{rng.randint(20, 38)}年"
        return f"{rng.randint(2, 47)}日"

    def latin_phrase(self) -> str:
        if self.rng.random() < 0.5:
            zh, latin = self.rng.choice(FOREIGN)
            return f"{zh}（{latin}）"
        return self.rng.choice(LATIN_WORDS)

    # -------------------------------------------------------- sentences
    def clause(self, n_words: int | None = None) -> str:
        n = n_words or self.rng.randint(2, 6)
        out = []
        for _ in range(n):
            out.append(self.word())
            if self.rng.random() < 0.55:
                out.append(self.function_word())
        return "".join(out)

    def sentence_tokens(self) -> list[str]:
        """A sentence as tokens; the last token is the end punctuation.

        Markup (notes, terms, citations…) is later inserted between tokens,
        so no token may be split.
        """
        rng = self.rng
        tokens: list[str] = []
        for i in range(rng.choice((1, 2, 2, 3, 3, 4))):
            if i:
                tokens.append(rng.choice(CLAUSE_SEP))
            tokens.append(self.clause())
            if rng.random() < 0.12:
                tokens.append(self.number_phrase())
        if rng.random() < 0.10:
            inner = f"『{self.clause(2)}』" if rng.random() < 0.3 else ""
            tokens[0:0] = [self.person(), "說：", f"「{self.clause()}{inner}{self.clause(2)}", "」"]
        tokens.append(rng.choice(END_PUNCT))
        return tokens

    def plain_sentence(self) -> str:
        return "".join(self.sentence_tokens())


def cjk_count(text: str) -> int:
    """Characters in the CJK ranges: Han, CJK punctuation, full-width forms."""
    n = 0
    for ch in text:
        o = ord(ch)
        if 0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF \
                or 0x20000 <= o <= 0x3134F:
            n += 1
    return n


def han_set(text: str) -> set[str]:
    return {ch for ch in text if 0x3400 <= ord(ch) <= 0x9FFF or 0x20000 <= ord(ch) <= 0x3134F}
