"""One embedded font per derived face in the merged PDF.

Every WeasyPrint run embeds its own subset of each derived face, so a book
merged from many page ranges (parallel workers, pages reused from the page
cache) would carry one subset per range and face: 54 subsets and 16 MB of
font data for the 1,100-page stress book.  WeasyPrint subsets with retained
glyph ids (`HB_SUBSET_FLAGS_RETAIN_GIDS`, CID = GID), so every subset of one
derived font file draws a glyph id with the same outline: the subsets are
replaced by one font per (face, file) that embeds the derived file itself,
with the union of the subsets' widths and ToUnicode entries.  The derived
file holds only the book's characters, i.e. it is itself a subset of the
edition's font (hence a tag, ISO 32000-1 §9.6.4).

A subset whose derived file is gone (pages drawn long ago with another
character set whose font folder was pruned) keeps its own embedding; the
workers gave every range's subsets tags of their own (turn.retag_fonts).
"""
from __future__ import annotations

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from ....atomic import write_bytes
from ....verify.pdf import FONT_TYPES, SUBSET, font_family_of, pdf_font_name

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


@dataclass
class _Group:
    family: str
    path: Path
    widths: dict[int, float] = field(default_factory=dict)
    to_unicode: dict[int, bytes] = field(default_factory=dict)   # gid -> UTF-16BE hex
    template: Dictionary | None = None                           # one original Type0 font
    seen: set = field(default_factory=set)                       # objgen of merged fonts
    uses: list[tuple[Dictionary, str]] = field(default_factory=list)


def unify_fonts(pdf: Pdf, page_files: list[dict[str, str]],
                extra: dict[tuple[str, str], dict[int, tuple[float, bytes]]] | None = None,
                files: FontFiles | None = None) -> dict[tuple[str, str], Dictionary]:
    """Replace the per-range subsets by one font per (family, derived file).

    `page_files[i]` maps a CSS family name to the derived font file page i was
    drawn with; files with the same bytes are one font.  `extra` adds glyphs
    {gid: (width, UTF-16BE hex)} of pages WeasyPrint did not draw (stamped folios, text pages) to
    the font of (family, file), made even when no page uses that face.
    `files`: digests the caller already took (drawing/pages.py, of the text pages' files).
    Returns the fonts written, by (family, file).
    """
    files = files or FontFiles()
    groups: dict[tuple[str, str], _Group] = {}
    for page, page_fonts in zip(pdf.pages, page_files):
        for fonts in _font_dicts(page.obj):
            for name, font in list(fonts.items()):
                group = _group_of(font, page_fonts, files, groups)
                if group is None:
                    continue
                if font.objgen not in group.seen:
                    group.seen.add(font.objgen)
                    _collect(font, group)
                group.uses.append((fonts, name))
    for (family, path), glyphs in (extra or {}).items():
        digest = files.digest(path, family)
        group = groups.setdefault((family, digest), _Group(family, Path(path)))
        for gid, (width, text) in glyphs.items():
            group.widths.setdefault(gid, width)
            if text:        # a glyph after the first of its cluster maps to nothing
                group.to_unicode.setdefault(gid, text)
    written = {key: _write_font(pdf, group, files) for key, group in groups.items()}
    for key, group in groups.items():
        for fonts, name in group.uses:
            fonts[name] = written[key]
    return {(family, path): written[family, digest] for (family, path), digest in files.seen(groups)}


class FontFiles:
    """Content digests of derived font files, each file read once (None: the file is gone);
    and the files as embedded streams, compressed once (`packed`: a folder kept between builds)."""

    def __init__(self, packed: Path | None = None):
        self._digest: dict[str, str | None] = {}
        self._families: set[tuple[str, str]] = set()
        self.packed = packed
        self._kept: set[str] = set()

    def embedded(self, pdf: Pdf, data: bytes) -> pikepdf.Stream:
        """The font file as a FontFile3 stream, Flate-compressed as qpdf compresses
        a stream when it saves (it leaves a Flate stream alone): 2.7 MB of derived
        faces on the stress book took 0.1 s to compress at every build, now once.
        A kept file is used only when it decompresses to the font's bytes."""
        if self.packed is None:
            return pikepdf.Stream(pdf, data, Subtype=Name("/OpenType"))
        kept = self.packed / f"{hashlib.sha256(data).hexdigest()[:32]}-zlib{zlib.ZLIB_RUNTIME_VERSION}.flate"
        self._kept.add(kept.name)
        try:
            packed = kept.read_bytes()
            if zlib.decompress(packed) != data:
                raise ValueError(kept)
        except (OSError, ValueError, zlib.error):
            packed = zlib.compress(data, 6)
            try:
                self.packed.mkdir(parents=True, exist_ok=True)
                write_bytes(kept, packed)
            except OSError:
                pass    # best effort, like the page cache
        return pikepdf.Stream(pdf, packed, Subtype=Name("/OpenType"), Filter=Name.FlateDecode)

    def prune(self) -> None:
        """Remove the kept files this build did not embed."""
        if self.packed is not None and self.packed.is_dir():
            for path in self.packed.glob("*.flate"):
                if path.name not in self._kept:
                    path.unlink(missing_ok=True)

    def digest(self, path: str, family: str | None = None) -> str | None:
        if path not in self._digest:
            try:
                self._digest[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                self._digest[path] = None
        if family is not None:
            self._families.add((family, path))
        return self._digest[path]

    def seen(self, groups: dict):
        """((family, path), digest) of every file that has a group."""
        for family, path in self._families:
            digest = self._digest.get(path)
            if (family, digest) in groups:
                yield (family, path), digest


def _font_dicts(obj, depth: int = 0):
    """/Font dictionaries of a page and of the form XObjects it draws."""
    res = obj.get("/Resources")
    if not isinstance(res, Dictionary) or depth > 8:
        return
    fonts = res.get("/Font")
    if isinstance(fonts, Dictionary):
        yield fonts
    xobjects = res.get("/XObject")
    if isinstance(xobjects, Dictionary):
        for xo in xobjects.values():
            if isinstance(xo, pikepdf.Stream) and xo.get("/Subtype") == Name.Form:
                yield from _font_dicts(xo, depth + 1)


def _group_of(font, page_fonts: dict[str, str], files: FontFiles, groups: dict) -> _Group | None:
    """The group of a WeasyPrint Type0 font with Identity-H encoding whose
    derived file still exists; None leaves the font as it is (e.g. a font
    with .notdef glyphs, which WeasyPrint encodes with its own CMap)."""
    try:
        if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
            return None
        desc = font.DescendantFonts[0]
        family = str(desc.FontDescriptor.get("/FontFamily", ""))
        if desc.get("/CIDToGIDMap") != Name.Identity:
            return None
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    path = page_fonts.get(family)
    digest = files.digest(path, family) if path else None
    if digest is None:
        return None      # its derived file is gone: the range's own subsets stay
    return groups.setdefault((family, digest), _Group(family, Path(path)))


def _collect(font: Dictionary, group: _Group) -> None:
    desc = font.DescendantFonts[0]
    group.widths.update(_widths(desc.get("/W", Array())))
    if "/ToUnicode" in font:
        for block in _BFCHAR.findall(font.ToUnicode.read_bytes()):
            for gid, text in _PAIR.findall(block):
                group.to_unicode.setdefault(int(gid, 16), text.lower())
    if group.template is None:
        group.template = font


def _widths(w: Array) -> dict[int, float]:
    """A /W array ([c [w1 w2 …]] or [c_first c_last w]) as {cid: width}."""
    out: dict[int, float] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(nxt, Array):
            for k, v in enumerate(nxt):
                out[first + k] = float(v)
            i += 2
        elif i + 2 < len(items):
            for cid in range(first, int(nxt) + 1):
                out[cid] = float(items[i + 2])
            i += 3
        else:
            break
    return out


def _w_array(widths: dict[int, float]) -> Array:
    out: list = []
    run: list = []
    prev = None
    for cid in sorted(widths):
        if prev is None or cid != prev + 1:
            if run:
                out.append(Array(run))
            out.append(cid)
            run = []
        run.append(_num(widths[cid]))
        prev = cid
    if run:
        out.append(Array(run))
    return Array(out)


def _num(v: float):
    return int(v) if float(v).is_integer() else round(v, 3)


def _to_unicode(pdf: Pdf, mapping: dict[int, bytes]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):       # at most 100 entries per block (PDF CMap limit)
        batch = items[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return pikepdf.Stream(pdf, b"\n".join(lines))


def subset_tag(data: bytes, family: str) -> str:
    """Six capital letters from the font's bytes: the same file, the same tag."""
    digest = hashlib.md5(family.encode() + b"\0" + data, usedforsecurity=False).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def _write_font(pdf: Pdf, group: _Group, files: FontFiles) -> Dictionary:
    """A Type0 font with the derived file embedded and the union of the widths."""
    data = group.path.read_bytes()
    if group.template is not None:
        old_desc = group.template.DescendantFonts[0]
        base = str(group.template.BaseFont).split("+", 1)[-1]
        fd = Dictionary({k: v for k, v in old_desc.FontDescriptor.items()
                         if k not in ("/FontFile3", "/FontFile2", "/CIDSet", "/FontName")})
        cid = Dictionary({k: v for k, v in old_desc.items() if k not in ("/W", "/FontDescriptor", "/BaseFont")})
    else:   # no WeasyPrint page uses the face (text pages, stamped folios): what WeasyPrint would write
        base = _pdf_name(data, group.family)
        fixed = len(group.widths) > 1 and len(set(group.widths.values())) == 1    # WeasyPrint's FixedPitch
        fd = Dictionary(Type=Name.FontDescriptor, FontFamily=pikepdf.String(group.family), Flags=4 | fixed,
                        ItalicAngle=0, Ascent=880, Descent=-120, CapHeight=880, StemV=80, StemH=80)
        cid = Dictionary(Type=Name.Font, Subtype=Name("/CIDFontType0"), CIDToGIDMap=Name.Identity,
                         CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"),
                                                  Ordering=pikepdf.String("Identity"), Supplement=0))
    name = Name(f"/{subset_tag(data, group.family)}+{base}")
    fd.FontName = name
    widest = max(group.widths.values(), default=1000)
    fd.FontBBox = Array([0, int(fd.Descent), max(int(widest), 0), int(fd.Ascent)])
    fd.FontFile3 = files.embedded(pdf, data)
    cid.BaseFont = name
    cid.W = _w_array(group.widths)
    cid.FontDescriptor = pdf.make_indirect(fd)
    font = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=name, Encoding=Name("/Identity-H"),
                      DescendantFonts=Array([pdf.make_indirect(cid)]),
                      ToUnicode=_to_unicode(pdf, group.to_unicode))
    return pdf.make_indirect(font)


def _pdf_name(data: bytes, family: str) -> str:
    """The font's name as WeasyPrint writes it: Pango's description of the
    face, i.e. the family, and "Bold" for a bold face, spaces as hyphens."""
    return (family + (" Bold" if _weight(data) >= 700 else "")).replace(" ", "-")


def _weight(data: bytes) -> int:
    """OS/2 usWeightClass of an OpenType file, read from its table directory
    (fontTools' import cost 0.02-0.04 s for one number); 400 when it is not there."""
    try:
        count = struct.unpack_from(">H", data, 4)[0]
        for k in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * k)
            if tag == b"OS/2" and length >= 6:
                return struct.unpack_from(">H", data, offset + 4)[0]
    except struct.error:    # a damaged derived file: the family name will do
        pass
    return 400


# ------------------------------------------------------------- check

def font_problems(pdf: Pdf, allowed_families: set[str]) -> list[str]:
    """VT-28 on the merged document before it is written, as
    `verify.pdf.check_fonts` does with `pdffonts` on the file (which takes
    seconds on a book: it walks every page): every font is a derived face,
    an embedded subset, a CID font."""
    allowed = {pdf_font_name(f) for f in allowed_families}
    seen: set = set()
    out: list[str] = []
    for page in pdf.pages:
        for fonts in _font_dicts(page.obj):
            for font in fonts.values():
                if font.objgen in seen and font.objgen != (0, 0):
                    continue
                seen.add(font.objgen)
                name = str(font.get("/BaseFont", "/?"))[1:]
                kind, embedded = _kind(font)
                if font_family_of(name) not in allowed:
                    out.append(f"font {name} is not a derived face ({', '.join(sorted(allowed))})")
                if not (embedded and SUBSET.match(name)):
                    out.append(f"font {name} is not embedded and subset")
                if kind not in FONT_TYPES:
                    out.append(f"font {name} has type {kind}, not a CID font")
    if not seen:
        out.append("the PDF has no fonts")
    return out


def _kind(font) -> tuple[str, bool]:
    """(pdffonts' type name, embedded) of a font dictionary."""
    sub = str(font.get("/Subtype", ""))
    desc = font.DescendantFonts[0] if sub == "/Type0" and "/DescendantFonts" in font else font
    fd = desc.get("/FontDescriptor")
    files = [fd.get(k) for k in ("/FontFile", "/FontFile2", "/FontFile3")] if fd is not None else []
    embedded = any(f is not None for f in files)
    dsub = str(desc.get("/Subtype", ""))
    if sub != "/Type0":
        return sub[1:] or "?", embedded
    ot = files[2] is not None and str(files[2].get("/Subtype", "")) == "/OpenType"
    if dsub == "/CIDFontType0":
        return "CID Type 0C (OT)" if ot else "CID Type 0C", embedded
    return "CID TrueType (OT)" if ot else "CID TrueType", embedded
