"""The import graph of src/bookbuild: acyclic, layered as docs/ARCHITECTURE.md draws it,
and every import inside a function says why it is there.

The layers are read from the `layers` block of docs/ARCHITECTURE.md, so the
drawing and this test cannot drift apart.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "bookbuild"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _known(name: str) -> str | None:
    """The module `name` is, or the nearest package that holds it."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Our modules an import statement of `module` loads (`from . import x` names the submodule x)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.split(".")[0] == "bookbuild"]
    else:
        if node.level:
            base = module.split(".")
            if MODULES[module].name != "__init__.py":
                base = base[:-1]
            base = base[:len(base) - node.level + 1]
            origin = ".".join(base + ([node.module] if node.module else []))
        elif (node.module or "").split(".")[0] == "bookbuild":
            origin = node.module
        else:
            return []
        names = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in MODULES else origin for a in node.names]
    return [k for k in map(_known, names) if k and k != module]


def _imports(tree: ast.AST):
    """(import node, enclosing function or None) for every import statement."""
    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, func
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            yield from visit(child, inner)
    yield from visit(tree, None)


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for node, _ in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            edges[name].update(imported(name, node))
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def layers() -> list[set[str]]:
    """The `layers` block of docs/ARCHITECTURE.md: one line per layer, top first."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->\s*```[^\n]*\n(.*?)```", text, re.S)
    assert block, "docs/ARCHITECTURE.md has no <!-- layers --> block"
    out = []
    for line in block.group(1).splitlines():
        names = re.findall(r"[\w_]+", line.split("#")[0])
        if names:
            out.append(set(names))
    return out


def layer_of(module: str, table: list[set[str]]) -> int:
    top = module.split(".")[1] if "." in module else "bookbuild"
    hits = [i for i, names in enumerate(table) if top in names]
    assert len(hits) == 1, f"{module}: its package {top!r} is in {len(hits)} layers of docs/ARCHITECTURE.md"
    return hits[0]


def test_the_graph_sees_real_imports():
    edges = _graph()
    assert "bookbuild.commands" in {m.rsplit(".", 1)[0] for m in edges["bookbuild.cli"]} or \
        any(m.startswith("bookbuild.commands") for m in edges["bookbuild.cli"])
    assert any(m.startswith("bookbuild.render.pdf") for m in edges["bookbuild.commands.build"])
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_imports_point_down_the_layers():
    table = layers()
    wrong = []
    for a, targets in _graph().items():
        for b in targets:
            if layer_of(b, table) < layer_of(a, table):
                wrong.append(f"{a} -> {b}")
    assert wrong == [], "imports that point up a layer (docs/ARCHITECTURE.md):\n" + "\n".join(sorted(wrong))


def test_every_layer_names_a_real_package():
    tops = {m.split(".")[1] if "." in m else "bookbuild" for m in MODULES}
    named = set().union(*layers())
    assert named == tops, (sorted(named - tops), sorted(tops - named))


def _explained(lines: list[str], lineno: int, func: ast.FunctionDef) -> bool:
    """A comment on the import's line or above its group of import lines, or a
    docstring of the enclosing function that says why its imports are deferred."""
    if "#" in lines[lineno - 1]:
        return True
    above = lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    if above >= 0 and lines[above].strip().startswith("#"):
        return True
    return "deferred" in (ast.get_docstring(func) or "")


def test_imports_inside_functions_say_why():
    """A function-level import hides a dependency; it is kept only where a heavy
    library is deferred on purpose, with the reason in a comment."""
    silent = []
    for _name, path in sorted(MODULES.items()):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node, func in _imports(ast.parse(text)):
            if func is not None and not _explained(lines, node.lineno, func):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert silent == [], "imports inside functions without a reason:\n" + "\n".join(silent)
