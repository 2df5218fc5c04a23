"""The package's layers depend one way: core <- model <- sources <- outputs <- the commands.

Each folder of site_builder/ is a layer; a module may import from its own layer and the ones
below it, never from a layer above or from the commands at the top (build, check, serve, ...).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"
LAYERS = ("core", "model", "sources", "outputs")


def imported_modules(source: str, here: tuple[str, ...]) -> set[str]:
    """Return the site_builder modules a module's source imports, dotted from the package
    ('core.urls'); here is the module's folder inside the package (('core',))."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(here[:len(here) - (node.level - 1)]) if node.level > 1 else list(here)
            module = base + (node.module.split(".") if node.module else [])
            if node.module:
                found.add(".".join(module))
            else:
                found.update(".".join(module + [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("site_builder"):
            found.add(node.module.removeprefix("site_builder").lstrip("."))
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("site_builder.") for a in node.names
                         if a.name.startswith("site_builder."))
    return found


def layer_of(module: str) -> int:
    """Return the rank of a dotted module's layer; the commands at the top rank above all."""
    first = module.split(".")[0]
    return LAYERS.index(first) if first in LAYERS else len(LAYERS)


MODULES = sorted(p for layer in LAYERS for p in (PACKAGE / layer).glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_a_module_imports_only_from_its_layer_and_those_below(path):
    here = path.relative_to(PACKAGE).parts[:-1]
    own = LAYERS.index(here[0])
    for module in imported_modules(path.read_text(encoding="utf-8"), here):
        if module in ("", "__version__"):      # the package itself: its version
            continue
        assert layer_of(module) <= own, f"{path.name} imports {module}, from a layer above"


def test_every_module_is_in_a_layer_or_is_a_command():
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == {"__init__", "__main__", "cli", "build", "check", "serve", "scaffold", "cache",
                   "cacheformat", "parallel", "livebuild"}
    assert {p.parent.name for p in PACKAGE.glob("*/*.py")} == set(LAYERS)


def test_the_check_sees_an_import_from_above():
    # The rule can fail: imports of the build and of the outputs from the core rank above it.
    imported = imported_modules("from ..build import build\nfrom ..outputs import plan\n"
                                "from .errors import SourceError\n", ("core",))
    assert imported == {"build", "outputs", "core.errors"}
    assert sorted(layer_of(m) for m in imported) == [0, 3, len(LAYERS)]
