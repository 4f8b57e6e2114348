"""docs/architecture.md names every module: a newcomer finds each concern's file there.

The house move (#16) split big files into many small ones; the list is only useful while it
is complete, so a module added without a line in it fails here.
"""

from __future__ import annotations

import re

from .source import ROOT

STAGES = ("recorder", "transcribe", "annotate", "review", "map", "models", "journeytape")


def _listed() -> dict[str, set[str]]:
    """Module paths listed per stage heading (``**transcribe/**``) in docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    section = text.split("## Where each concern lives", 1)[1].split("\n## ", 1)[0]
    listed: dict[str, set[str]] = {}
    stage = None
    for line in section.splitlines():
        if m := re.match(r"\*\*(\w+)/", line):
            stage = m.group(1)
        elif (m := re.match(r"- `([\w/]+\.py)` — ", line)) and stage:
            listed.setdefault(stage, set()).add(m.group(1))
    return listed


def test_every_module_has_a_line_under_its_stage():
    listed = _listed()
    missing = [
        f"{stage}/{rel}"
        for stage in STAGES
        for path in sorted((ROOT / stage).rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py")
        and (rel := path.relative_to(ROOT / stage).as_posix()) not in listed.get(stage, set())
    ]
    assert missing == [], "add these to docs/architecture.md, 'Where each concern lives'"


def test_no_line_names_a_module_that_is_gone():
    gone = [
        f"{stage}/{rel}"
        for stage, rels in _listed().items()
        for rel in rels
        if not (ROOT / stage / rel).is_file()
    ]
    assert gone == []
