"""EditionText.memo: editions of one build share normalized texts (BuildData.normalized),
and an edition whose settings differ never gets another's text."""
from __future__ import annotations

from bookbuild.transform.edition_text import EditionText

TEXT = "他說:「1944年，6～8月,衡陽...」"


def test_a_shared_memo_gives_each_setting_its_own_text():
    memo: dict = {}
    plain = [EditionText(True, "tcy", "sideways"), EditionText(False, "sideways", "sideways"),
             EditionText(True, "chinese", "sideways"), EditionText(True, "tcy", "sideways", range_mark="〜"),
             EditionText(True, "tcy", "sideways", pdf=True)]
    shared = [EditionText(e.vertical, e.numerals, e.long_numbers, e.range_mark, e.interpunct, e.pdf, memo=memo)
              for e in plain]
    for _ in range(2):          # the second round is answered from the memo
        assert [e.normalize(TEXT) for e in shared] == [e.normalize(TEXT) for e in plain]
    outputs = {e.normalize(TEXT) for e in plain}
    assert len(outputs) >= 3     # chinese numerals and the range mark really differ
    assert len(memo) == 4        # vertical and horizontal share one entry; the others have their own
    assert shared[0] == plain[0] and hash(shared[0]) == hash(plain[0])
