"""What a book may make the renderers read: images and CSS url()s (docs/FORMAT.md
"Files and safety").

    check_assets(book, styles=None) -> list[Diagnostic]
        every `![](…)` and raw `<img src>` in chapters and note files, and every
        url() in styles/*.css, at the author's file:line:col
    resolve_ref(ref, base, root) -> (Path | None, Refusal | None)
        one reference: (the file to read, None), (None, None) for a data: URL,
        or (None, why it is refused)
    pixel_problem(path) -> Refusal | None      (the PDF fetcher: raster bombs only)
    image_path(src, chapter_file, root) -> (Path | None, Refusal | None)
    css_refs(text) -> list[(url, line, col)]
    css_problem(text) -> Refusal | None        (over 64 MiB, or nested deeper than MAX_CSS_DEPTH)
    rewrite_css_urls(text, new_url) -> str

Refused: any scheme but data: and file: (http:, https:, ftp: …; nothing is
ever fetched from the network) and a file: URL or path outside the book root
(also through a symlink, or a symlink loop) → BB508; a file that is missing or
not an image → BB509; a file over 64 MiB or an image over MAX_PIXELS pixels
(a decompression bomb: a few KB of PNG that decodes to gigabytes) → BB510.
Checked from the header alone: nothing is decoded.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
from tinycss2 import ast

from .. import model as m
from ..booktoml import KeyIndex
from ..diagnostics import Diagnostic
from ..limits import MAX_FILE_BYTES

MAX_PIXELS = 89_478_485               # Pillow's default MAX_IMAGE_PIXELS (≈ 9459 × 9459)
MAX_CSS_DEPTH = 256                   # tinycss2 and WeasyPrint recurse per nested block
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_URL_FUNCTIONS = ("url", "src", "image", "image-set", "-webkit-image-set")   # a string inside is a URL
_RAW_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I | re.S)


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str       # BB508 | BB509 | BB510
    reason: str
    hint: str


def resolve_ref(ref: str, base: Path, root: Path, extra_roots: tuple[Path, ...] = ()):
    """Where `ref` (a URL or a path relative to `base`) points, if it may be read."""
    ref = ref.strip()
    scheme = _SCHEME.match(ref)
    kind = scheme.group(1).lower() if scheme and len(scheme.group(1)) > 1 else ""  # C:\ is a path
    if kind == "data":
        return None, None
    if kind and kind != "file":
        return None, Refusal("BB508", f"{kind}: URL refused (nothing is fetched from the network)",
                             "put the file in assets/ and refer to it by a relative path")
    if kind == "file":
        parts = urlsplit(ref)
        if parts.netloc not in ("", "localhost"):
            return None, Refusal("BB508", "file: URL on another host refused", "use a path inside the book")
        from urllib.request import url2pathname  # deferred: urllib.request pulls http.client and ssl (8 ms per run)
        target = Path(url2pathname(unquote(parts.path)))
    else:
        target = base / unquote(ref.split("#", 1)[0].split("?", 1)[0])
    return _inside(target, root, extra_roots)


def _inside(target: Path, root: Path, extra_roots: tuple[Path, ...]):
    try:
        full = target.resolve(strict=False)
    except (OSError, RuntimeError):          # a symlink loop
        return None, Refusal("BB508", "symlink loop", "remove the looping symlink")
    roots = [r.resolve() for r in (root, *extra_roots)]
    if not any(full == r or full.is_relative_to(r) for r in roots):
        return None, Refusal("BB508", "outside the book root (directly or through a symlink)",
                             "copy the file into assets/ inside the book folder")
    problem = image_problem(full)
    return (None, problem) if problem else (full, None)


def image_problem(path: Path) -> Refusal | None:
    """None when `path` is a readable image within the limits (header only)."""
    try:
        size = path.stat().st_size
    except OSError:
        return Refusal("BB509", "missing", "check the path (relative to the book root)")
    if not path.is_file():
        return Refusal("BB509", "not a file", "refer to an image file")
    if size > MAX_FILE_BYTES:
        return Refusal("BB510", f"{size // (1024 * 1024)} MiB; the limit is 64 MiB per file",
                       "make the image smaller")
    if path.suffix.lower() == ".svg":
        head = path.read_bytes()[:4096].lstrip()
        ok = head.startswith(b"<") and b"<svg" in head
        return None if ok else Refusal("BB509", "not an SVG image", "give a .png, .jpg or .svg image")
    return _raster_problem(path)


_RASTER_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def pixel_problem(path: Path) -> Refusal | None:
    """For a file the renderer fetches (fonts too): a raster image over the
    pixel limit, judged from its header; anything else passes."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return Refusal("BB509", "cannot be read", "check the file's permissions")
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not (is_webp or head.startswith(_RASTER_MAGIC)):
        return None
    problem = _raster_problem(path)
    return problem if problem is not None and problem.code == "BB510" else None


def _raster_problem(path: Path) -> Refusal | None:
    from PIL import Image  # deferred: Pillow is needed only by books with raster images
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:       # reads the header, decodes nothing
                width, height = im.size
    except Image.DecompressionBombError:
        return Refusal("BB510", f"the image claims more than {2 * MAX_PIXELS:,} pixels",
                       "make the image smaller")
    except Exception:      # Pillow raises many kinds on a file that is no image
        return Refusal("BB509", "not an image", "give a .png, .jpg or .svg image")
    if width * height > MAX_PIXELS:
        return Refusal("BB510", f"{width}×{height} pixels; the limit is {MAX_PIXELS:,}",
                       "make the image smaller")
    return None


# ------------------------------------------------------------ the book's references

def check_assets(book: m.Book, styles: list[str] | None = None) -> list[Diagnostic]:
    """`styles`: the stylesheet names to check (an edition's all.css and
    <edition>.css); None: every styles/*.css."""
    root = book.root
    out: list[Diagnostic] = []
    for src, pos in image_refs(book):
        out += _image_refused(src, pos, root)
    out += _cover(book) + _cover_images(book)
    folder = root / "styles"
    if folder.is_dir():
        found = sorted(folder.glob("*.css")) if styles is None else [folder / n for n in styles]
        for css in (p for p in found if p.is_file()):
            rel = css.relative_to(root).as_posix()
            try:
                size = css.stat().st_size
                text = css.read_text("utf-8", errors="replace") if size <= MAX_FILE_BYTES else ""
            except OSError:
                continue
            problem = css_problem(text, size)
            if problem is not None:
                out.append(Diagnostic(problem.code, f"{rel}: {problem.reason}", rel, 1, 1, problem.hint))
                continue
            for url, line, col in css_refs(text):
                # the renderers resolve a stylesheet's relative url() against the book root
                out += _refused(url, rel, line, col, root, root, "url()")
    return out


def _cover(book: m.Book) -> list[Diagnostic]:
    """The cover's content (load/ checked its place and suffix: BB508/BB509)."""
    cfg = book.config
    if not cfg.cover:
        return []
    path, refusal = resolve_ref(cfg.cover, book.root, book.root)
    if refusal is None or refusal.code == "BB508" or refusal.reason == "missing":
        return []           # fine, or already reported by load/
    return [Diagnostic(refusal.code, f"cover {cfg.cover}: {refusal.reason}", cfg.path, cfg.cover_line or 1, 1,
                       refusal.hint)]


def _cover_images(book: m.Book) -> list[Diagnostic]:
    """A cover edition's `cover_image`: inside the book, there, an image (BB508/509/510), at its key."""
    cfg, out = book.config, []
    for ed in (e for e in cfg.editions if e.format == "cover" and e.cover_image):
        _, refusal = resolve_ref(ed.cover_image, book.root, book.root)
        if refusal is not None:
            where = KeyIndex(book.texts.get(cfg.path, "")).key(f"editions.{ed.name}", "cover_image")
            out.append(Diagnostic(refusal.code, f"[editions.{ed.name}] cover_image {ed.cover_image}: "
                                  f"{refusal.reason}", cfg.path, *where, refusal.hint))
    return out


def image_path(src: str, chapter_file: str, root: Path):
    """An image of a chapter or note file: (path, None) or (None, refusal).
    A relative path is tried against the book root, then against the file's
    folder (the renderers do the same); the refusal is the folder's."""
    found, first = resolve_ref(src, root, root) if not _SCHEME.match(src.strip()) else (None, None)
    if found is not None:
        return found, None
    if first is not None and first.code != "BB508" and first.reason != "missing":
        # the file is there under the root but refused (not an image, too big): say so, not "missing"
        return None, first
    return resolve_ref(src.lstrip("/") if src.startswith("/") else src,
                       root if src.startswith("/") else (root / chapter_file).parent, root)


def _image_refused(src: str, pos: m.Pos, root: Path) -> list[Diagnostic]:
    path, refusal = image_path(src, pos.file, root)
    if refusal is None:
        return []
    return [Diagnostic(refusal.code, f"image {_short(src)}: {refusal.reason}", pos.file, pos.line, pos.col,
                       refusal.hint)]


def _refused(ref, file, line, col, base, root, what) -> list[Diagnostic]:
    _, refusal = resolve_ref(ref, base, root)
    if refusal is None:
        return []
    return [Diagnostic(refusal.code, f"{what} {_short(ref)}: {refusal.reason}", file, line, col, refusal.hint)]


def _short(ref: str) -> str:
    return ref if len(ref) <= 120 else ref[:117] + "…"


def image_refs(book: m.Book) -> list[tuple[str, m.Pos]]:
    """(src, position) of every image: Markdown images from the model, raw
    `<img src>` from the files' text (Pandoc keeps raw HTML as text or drops it)."""
    out: list[tuple[str, m.Pos]] = []
    files: list[str] = []
    for ch in book.chapters:
        files.append(ch.file)
        out += _model_images(ch.title + [i for b in ch.blocks for i in _block_inlines(b)], ch.file)
    for note in book.notes.values():
        out += _model_images([i for b in note.blocks for i in _block_inlines(b)], note.pos.file)
        if note.pos.file not in files:
            files.append(note.pos.file)
    for rel in files:
        out += _raw_images(book.root, rel, book.texts.get(rel))
    return out


def _block_inlines(block) -> list:
    return list(m.walk_blocks_inlines([block]))


def _model_images(inlines, file: str) -> list[tuple[str, m.Pos]]:
    return [(n.src, n.pos or m.Pos(file, 1, 1)) for n in m.walk_inlines(inlines) if isinstance(n, m.Image)]


def _raw_images(root: Path, rel: str, text: str | None = None) -> list[tuple[str, m.Pos]]:
    """`text`: the file as loaded (book.texts), else read again."""
    if text is None:
        try:
            text = (root / rel).read_text("utf-8", errors="replace")
        except OSError:
            return []
    if "<img" not in text.lower() if "<" in text else True:
        return []       # the pattern's own prefix: most files have no tag at all (0.09 s on a book)
    out = []
    for mt in _RAW_IMG.finditer(text):
        g = 1 if mt.group(1) is not None else 2 if mt.group(2) is not None else 3
        start = mt.start(g)
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        out.append((mt.group(g), m.Pos(rel, line, col)))
    return out


def css_problem(text: str, size: int | None = None) -> Refusal | None:
    """A stylesheet too large, or nested too deep to parse without running
    out of stack (`((((…` a hundred thousand times)."""
    if (size if size is not None else len(text.encode("utf-8", "replace"))) > MAX_FILE_BYTES:
        return Refusal("BB510", "larger than 64 MiB", "split the stylesheet")
    if css_depth(text) > MAX_CSS_DEPTH:
        return Refusal("BB510", f"brackets nested deeper than {MAX_CSS_DEPTH}; the stylesheet is not used",
                       "check the stylesheet for unclosed ( [ {")
    return None


def css_depth(text: str) -> int:
    """The deepest bracket nesting (outside comments; strings count: an upper bound)."""
    text = _COMMENT.sub("", text)
    depth = deepest = 0
    for mt in _BRACKET.finditer(text):
        depth = depth + 1 if mt.group() in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.S)
_BRACKET = re.compile(r"[()\[\]{}]")
_HAS_URL = re.compile(r"url\(|@import|image", re.I)


def css_refs(text: str) -> list[tuple[str, int, int]]:
    """(url, line, col) of each url(…) in a stylesheet (not @import: never followed)."""
    if not _HAS_URL.search(text):
        return []       # a long stylesheet without URLs is not parsed (300,000 rules: 30 s)
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return [(node.value, node.source_line, node.source_column) for node in _url_nodes(_no_imports(rules))]


def _no_imports(rules):
    """@import is never followed: the print edition drops it (draw.book_css), the
    EPUB leaves it out (rewrite_css_urls), so it names nothing that is read."""
    return [r for r in rules if not (isinstance(r, ast.AtRule) and r.lower_at_keyword == "import")]


def rewrite_css_urls(text: str, new_url) -> str:
    """The stylesheet with each URL replaced by `new_url(url)` (comments and @import left out)."""
    rules = _no_imports(tinycss2.parse_stylesheet(text, skip_comments=True))
    for node in _url_nodes(rules):
        quoted = '"' + new_url(node.value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "") + '"'
        node.representation = f"url({quoted})" if isinstance(node, ast.URLToken) else quoted
    return tinycss2.serialize(rules)


def _url_nodes(nodes, in_import: bool = False):
    """The tokens holding a URL: url(x) tokens, the string of url("x") and
    image-set("x" 1x), the string of @import "x"."""
    for node in nodes or ():
        if isinstance(node, ast.URLToken) or isinstance(node, ast.StringToken) and in_import:
            yield node
        elif isinstance(node, ast.FunctionBlock):
            strings = [a for a in node.arguments if isinstance(a, ast.StringToken)]
            if node.lower_name in ("url", "src"):
                strings = strings[:1]       # url("x"): the string is the URL
            elif node.lower_name not in _URL_FUNCTIONS:
                strings = []
            yield from strings
            yield from _url_nodes([a for a in node.arguments if a not in strings])
        elif isinstance(node, ast.AtRule):
            yield from _url_nodes(node.prelude, node.lower_at_keyword == "import")
            yield from _url_nodes(node.content)
        elif isinstance(node, ast.QualifiedRule):
            yield from _url_nodes(node.prelude)
            yield from _url_nodes(node.content)
        elif isinstance(getattr(node, "content", None), list):
            yield from _url_nodes(node.content)      # () [] {} blocks
