"""Assemble one derived face (CFF-flavoured OpenType) from a source face.

cmap: every code point gets a glyph of its own, named after it, so no glyph is
reachable from two code points and ToUnicode stays exact (VT-31). GSUB holds
only bookbuild's own features: default-on `rlig` (2-em pairs, tate-chu-yoko
runs), `ss19` (note calls) and `ss18` (A–Z, 0–9 upright, one per cell); the
source's layout tables are not copied.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .... import charclass as cc
from . import glyphs as fg
from .glyphstore import GlyphStore
from .source import Choice, SourceFace, is_ignored
from .spec import FaceSpec

if TYPE_CHECKING:
    from fontTools.fontBuilder import FontBuilder

UPRIGHT_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PAIRS = ("\u2014\u2014", "\u2026\u2026", "\u22ef\u22ef")
# VT-15: ！！ ？？ ！？ ？！ stacked in one upright cell (units.STACKED), drawn from the ASCII marks.
STACKS = {"！！": "!!", "？？": "??", "！？": "!?", "？！": "?!"}
# Neighbours that stop a digit run from being tcy (docs/FORMAT.md "Numbers").
_TCY_BREAKERS = ".:,/-%" + "".join(map(chr, range(0x41, 0x5B))) + "".join(map(chr, range(0x61, 0x7B)))


def glyph_name(ch: str) -> str:
    cp = ord(ch)
    return f"uni{cp:04X}" if cp <= 0xFFFF else f"u{cp:05X}"


def _digit_runs(runs) -> list[str]:
    return sorted({r for r in runs if re.fullmatch(r"[0-9]{1,3}", r)}, key=lambda r: (len(r), r))


def collect_drawings(chain: list[SourceFace], chars: list[str], spec: FaceSpec,
                     sequences=(), origin: dict | None = None):
    """(drawings by glyph name, cmap, missing chars, names of tcy/call/pair glyphs).

    `chain`: the primary face, then the fallback faces (SourceFace(frame=primary));
    each character is drawn from the first face that has it and `origin` (when
    given) records the face of each glyph not drawn from the primary.
    `sequences`: base + variation selector strings, drawn with the variant glyph
    of the first face that lists them (cmap 14 of the derived face)."""
    src = chain[0]
    drawings = {".notdef": fg.notdef(src)}
    cmap, missing, choices = {}, set(), {}
    origin = {} if origin is None else origin
    for ch in chars:
        if is_ignored(ch):
            continue
        face = next((f for f in chain if f.has(ch)), None)
        if face is None:
            missing.add(ch)
            continue
        name = glyph_name(ch)
        if face is src:
            choices[ch] = src.choose(ch, spec.upright)
            drawings[name] = fg.for_char(src, choices[ch])
        else:
            drawings[name] = fg.for_char(face, face.choose(ch, spec.upright), src.upem)
            origin[name] = face
        cmap[ord(ch)] = name
    extra = {"pair": {}, "tcy": {}, "call": {}, "upright": {}}
    for pair in PAIRS:
        if pair[0] in choices:
            name = "pair." + glyph_name(pair[0])
            drawings[name] = (fg.vertical_pair(src, pair, choices[pair[0]]) if spec.upright
                              else fg.horizontal_pair(src, pair))
            extra["pair"][pair] = name
    if spec.upright:
        for pair, ascii_marks in STACKS.items():
            if pair[0] in choices and pair[1] in choices and all(src.has(c) for c in ascii_marks):
                name = "stack." + glyph_name(pair[0]) + glyph_name(pair[1])
                drawings[name] = fg.stacked(src, ascii_marks)
                extra["pair"][pair] = name
    if all(str(d) in choices for d in range(10)):
        made = (("tcy", spec.tcy_runs, fg.tcy), ("call", spec.call_numbers, fg.call)) if spec.upright \
            else (("call", spec.call_numbers, fg.call_horizontal),)
        for kind, runs, make in made:
            for run in _digit_runs(runs):
                drawings[f"{kind}.{run}"] = make(src, run)
                extra[kind][run] = f"{kind}.{run}"
    if spec.upright:
        _upright_latin(src, choices, drawings, extra)
    extra["uvs"] = _variants(chain, sequences, spec, cmap, drawings, origin)
    return drawings, cmap, missing, extra


def _variants(chain: list[SourceFace], sequences, spec: FaceSpec, cmap: dict, drawings: dict,
              origin: dict) -> list[tuple[int, int, str]]:
    """cmap 14 records (base, selector, glyph) for the sequences some face lists;
    a sequence no face lists is drawn as its base (check's BB403)."""
    uvs = []
    for seq in sorted(set(sequences)):
        if len(seq) != 2 or ord(seq[0]) not in cmap:
            continue
        for face in chain:
            glyph = face.variant(*seq)
            if glyph is None:
                continue
            name = f"{glyph_name(seq[0])}.{glyph_name(seq[1])}"
            # the variant of an ideograph: pre-rotated like its base (VT-09)
            rotate = spec.upright and cc.orientation(seq[0]) != "rotated"
            drawings[name] = fg.for_char(face, Choice(glyph, rotate), chain[0].upem)
            if face is not chain[0]:
                origin[name] = face
            uvs.append((ord(seq[0]), ord(seq[1]), name))
            break
    return uvs


def _upright_latin(src: SourceFace, choices: dict, drawings: dict, extra: dict) -> None:
    """`ss18` alternates: A–Z and 0–9 upright in one 1-em cell each (VT-12 acronyms,
    `long_numbers`/`numerals = "upright"`), drawn from the full-width forms."""
    for ch in UPRIGHT_LATIN:
        if ch not in choices:
            continue
        wide = chr(ord(ch) + 0xFEE0)      # Ａ U+FF21, ０ U+FF10
        glyph = src.cmap.get(ord(wide), src.cmap[ord(ch)])
        name = "upr." + glyph_name(ch)
        drawings[name] = fg.for_char(src, Choice(glyph, True))
        extra["upright"][ch] = name


def feature_text(cmap: dict[int, str], extra: dict) -> str:
    """feaLib source: ss19 (calls) before rlig, since lookups apply in list order."""
    digit = {str(d): glyph_name(str(d)) for d in range(10)}
    lines = ["languagesystem DFLT dflt;", "languagesystem hani dflt;", "languagesystem latn dflt;"]
    calls, tcys = extra["call"], extra["tcy"]
    if tcys or calls:
        lines.append("@D = [%s];" % " ".join(digit.values()))
    # Longest runs first: within a feature, lookups apply in definition order.
    for kind, by_run in (("CALL", calls), ("TCY", tcys)):
        for n in (3, 2, 1):
            subs = [f"  sub {' '.join(digit[d] for d in run)} by {g};"
                    for run, g in by_run.items() if len(run) == n]
            if subs:
                lines += [f"lookup {kind}{n} {{", *subs, f"}} {kind}{n};"]
    if calls:
        body = [f"  lookup CALL{n};" for n in (3, 2, 1) if any(len(r) == n for r in calls)]
        lines += ["feature ss19 {", *body, "} ss19;"]
    rlig = []
    pairs = [f"  sub {glyph_name(p[0])} {glyph_name(p[1])} by {g};" for p, g in extra["pair"].items()]
    if pairs:
        lines += ["lookup PAIRS {", *pairs, "} PAIRS;"]
        rlig.append("  lookup PAIRS;")
    if tcys:
        lines += _tcy_context_lookups(cmap, tcys)
        rlig += [f"  lookup CTX{n};" for n in (3, 2, 1) if any(len(r) == n for r in tcys)]
    if rlig:
        lines += ["feature rlig {", *rlig, "} rlig;"]
    if extra["upright"]:
        # After the rlig lookups: a tcy run stays one tcy cell even under ss18.
        subs = [f"  sub {glyph_name(ch)} by {g};" for ch, g in extra["upright"].items()]
        lines += ["lookup UPRIGHT {", *subs, "} UPRIGHT;", "feature ss18 {", "  lookup UPRIGHT;",
                  "} ss18;"]
    return "\n".join(lines) + "\n"


def _tcy_context_lookups(cmap: dict[int, str], tcys: dict[str, str]) -> list[str]:
    """Apply TCYn only to a maximal n-digit run: ignore it when a digit or a tcy
    breaker (. : , / - % Latin letter) touches either end."""
    breakers = [cmap[ord(c)] for c in _TCY_BREAKERS if ord(c) in cmap]
    lines = ["@X = [@D %s];" % " ".join(breakers)]
    for n in (3, 2, 1):
        if not any(len(r) == n for r in tcys):
            continue
        marked = " ".join(["@D'"] * n)
        lines += [f"lookup CTX{n} {{",
                  f"  ignore sub @X {marked};",
                  f"  ignore sub {marked} @X;",
                  "  sub " + " ".join([f"@D' lookup TCY{n}"] + ["@D'"] * (n - 1)) + ";",
                  f"}} CTX{n};"]
    return lines


def build_face(chain: list[SourceFace], chars: list[str], spec: FaceSpec, out: Path,
               sequences=(), store: GlyphStore | None = None) -> set[str]:
    """Write the derived face to `out`; return the chars no face of the chain can draw.
    `store`: the chain's compiled glyphs kept from earlier builds (glyphstore.py)."""
    origin: dict[str, SourceFace] = {}
    src = chain[0]
    drawings, cmap, missing, extra = collect_drawings(chain, chars, spec, sequences, origin)
    order = list(drawings)
    store = store or GlyphStore(None)
    charstrings, boxes = {}, {}
    for name in order:
        face = origin.get(name, src)
        charstrings[name], boxes[name] = store.compiled(
            chain.index(face), drawings[name], lambda f=face, d=drawings[name]: fg.compile_drawing(f, d))
    hmetrics = {n: (drawings[n].advance, boxes[n][0] if boxes[n] else 0) for n in order}
    # deferred: a build whose derived faces are all cached never builds one (fontTools' feaLib ≈ 0.05 s)
    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
    from fontTools.fontBuilder import FontBuilder
    fb = FontBuilder(src.upem, isTTF=False)
    # Bounding boxes come from the drawing pass: letting fontTools recalculate
    # them on save would execute every charstring twice more.
    fb.font.recalcBBoxes = False
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(cmap, uvs=extra["uvs"] or None)
    fb.setupCFF(spec.ps_name, {"FullName": f"{spec.family} {spec.style}",
                               "FamilyName": spec.family, "Weight": spec.style},
                charstrings, {})
    fb.setupHorizontalMetrics(hmetrics)
    ascent, descent, _ = fg.metrics(src.upem)
    fb.setupHorizontalHeader(ascent=ascent, descent=descent, lineGap=0)
    _setup_names(fb, src, spec, sorted(set(origin.values()), key=lambda f: f.ref.family))
    fb.setupOS2(sTypoAscender=ascent, sTypoDescender=descent, sTypoLineGap=0,
                usWinAscent=ascent, usWinDescent=-descent, usWeightClass=spec.weight,
                fsSelection=(0x20 if spec.weight >= 600 else 0x40) | 0x80,  # bold/regular, USE_TYPO_METRICS
                achVendID="BKBD", version=4)
    if spec.weight >= 600:
        fb.font["head"].macStyle = 1
    fb.setupPost()
    _set_bounds(fb, boxes, hmetrics)
    addOpenTypeFeaturesFromString(fb.font, feature_text(cmap, extra))
    fb.save(str(out))
    return missing


def _setup_names(fb: FontBuilder, src: SourceFace, spec: FaceSpec, fallbacks=()) -> None:
    names = {"familyName": spec.family, "styleName": spec.style,
             "uniqueFontIdentifier": f"bookbuild:{spec.ps_name}",
             "fullName": f"{spec.family} {spec.style}", "psName": spec.ps_name,
             "version": "Version 1.000",
             "description": f"Derived by bookbuild from {src.ref.family} for vertical setting"
                            + (" (fallback glyphs: " + ", ".join(f.ref.family for f in fallbacks) + ")"
                               if fallbacks else "")}
    keys = {0: "copyright", 13: "licenseDescription", 14: "licenseInfoURL"}
    for face in (src, *fallbacks):
        # a fallback's glyphs bring its copyright and licence along (kept after the primary's)
        for name_id, text in face.copyright_names().items():
            if text not in names.get(keys[name_id], ""):
                names[keys[name_id]] = "; ".join(filter(None, (names.get(keys[name_id]), text)))
    fb.setupNameTable(names, mac=False)


def _set_bounds(fb: FontBuilder, boxes: dict, hmetrics: dict) -> None:
    """head/CFF font bbox and hhea extremes, as fontTools' recalc would set them."""
    inked = [(n, b) for n, b in boxes.items() if b]
    bbox = [min(b[0] for _, b in inked), min(b[1] for _, b in inked),
            max(b[2] for _, b in inked), max(b[3] for _, b in inked)]
    head = fb.font["head"]
    head.xMin, head.yMin, head.xMax, head.yMax = bbox
    fb.font["CFF "].cff.topDictIndex[0].FontBBox = bbox
    hhea = fb.font["hhea"]
    hhea.advanceWidthMax = max(adv for adv, _ in hmetrics.values())
    hhea.minLeftSideBearing = min(b[0] for _, b in inked)
    hhea.minRightSideBearing = min(hmetrics[n][0] - b[2] for n, b in inked)
    hhea.xMaxExtent = max(b[2] for _, b in inked)
