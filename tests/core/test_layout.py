"""The layout lint: stage folders import each other only along the declared data flow.

Folders do not match import paths (``transcribe/`` is ``journeytape.transcribe``, see
``pyproject.toml``), so a reader cannot see the architecture from the tree alone. This test reads
the allowed graph from ``[tool.journeytape.layout]`` and fails on every import — at module level
or inside a function — that reaches a stage the importing stage may not use.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .source import ROOT, imported_modules

LAYOUT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["journeytape"][
    "layout"
]
#: the composition root may import every stage (it registers their CLIs)
COMPOSITION_ROOT = ROOT / "journeytape" / "cli.py"


def _folder(stage: str) -> Path:
    return ROOT / ("journeytape" if stage == "core" else stage)


def _imported_stages(path: Path) -> set[str]:
    """Stages a module imports (``journeytape.<stage>``); ``core`` for the rest of journeytape."""
    found = set()
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] == "journeytape":
            found.add(parts[1] if len(parts) > 1 and parts[1] in LAYOUT else "core")
    return found


def violations(layout: dict[str, list[str]]) -> list[str]:
    out = []
    for stage, allowed in layout.items():
        for path in sorted(_folder(stage).rglob("*.py")):
            if path == COMPOSITION_ROOT:
                continue
            for target in sorted(_imported_stages(path) - {stage, *allowed}):
                out.append(f"{path.relative_to(ROOT)} imports journeytape.{target}")
    return out


def test_every_stage_folder_is_declared():
    assert set(LAYOUT) == {"core", "models", "recorder", "transcribe", "annotate", "review", "map"}
    for stage in LAYOUT:
        assert (_folder(stage) / "__init__.py").is_file(), stage


def test_stages_import_only_along_the_declared_flow():
    assert violations(LAYOUT) == []


def test_the_lint_sees_a_backwards_import():
    """Review must not import map (map reads review's workspace); the lint would say so."""
    stricter = dict(LAYOUT, map=["core"])
    assert any(v.startswith("map/") and "journeytape.review" in v for v in violations(stricter))
