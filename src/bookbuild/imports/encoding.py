"""Decode a legacy text file: UTF-8 (with or without BOM), UTF-16, Big5/CP950, GB18030."""
from __future__ import annotations

# The most frequent characters of Chinese prose, in both scripts.  A text
# decoded with the wrong CJK codec turns into rare characters, so the share
# of these tells Big5 from GB18030 where both decoders accept the bytes.
_COMMON = set(
    "的一是不了人我在有他這这個个們们中來来上大為为和國国地到以說说時时要就出會会可也你對对生能而子那得"
    "於于著着下自之年過过發发後后作裡里用道行所然家種种事成方多經经麼么去法學学如都同現现當当沒没動动面"
    "起看定天分還还進进好小部其些主樣样理心她本前開开但因只從从想實实日軍军師师戰战城守敵敌兵長长")


class EncodingError(Exception):
    pass


def _score(text: str) -> float:
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff"]
    return sum(c in _COMMON for c in cjk) / max(1, len(cjk))


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Raises EncodingError with a readable message."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as e:
            raise EncodingError(f"cannot decode as {encoding}: {e}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("cp950", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text), enc, text))
    if not candidates:
        raise EncodingError("not UTF-8, UTF-16, Big5 or GB18030; give the encoding with --encoding")
    _, enc, text = max(candidates)
    return text, enc
