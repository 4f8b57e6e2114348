"""Erasure of study maps (registered with :mod:`journeytape.erasure`).

A journey map and its interview-quality report quote every interview of the study, so a map
that lists the withdrawn interview is removed whole (all four files): a map rebuilt without it
needs the guide and the review workspace, which ``journeytape map`` is given and withdrawal is
not. The note says how to rebuild it.
"""

from __future__ import annotations

from pathlib import Path

from journeytape.erasure import Erasure, Subject, read_json, register, walk_files

from .run import MAP_HTML, MAP_JSON, QUALITY_JSON, QUALITY_MD


def _interviews(path: Path) -> set[str]:
    """Interview names a map or quality report lists (workspace names may carry sub-folders;
    the eraser knows output names, so both forms are returned)."""
    d = read_json(path)
    items = d.get("interviews", []) if isinstance(d, dict) else []
    names = {i.get("name") or i.get("interview") for i in items if isinstance(i, dict)}
    return {n for n in names if isinstance(n, str)} | {Path(n).name for n in names if n}


@register("journey maps")
def erase_maps(subject: Subject, folder: Path, erasure: Erasure) -> None:
    for p in walk_files(folder):
        if p.name not in (MAP_JSON, QUALITY_JSON) or not (_interviews(p) & subject.names):
            continue
        for name in (MAP_JSON, MAP_HTML, QUALITY_JSON, QUALITY_MD):
            erasure.remove(p.with_name(name), folder, subject)
        erasure.note(
            folder,
            f"removed the journey map in {p.parent.relative_to(folder) or '.'} (it quoted the "
            "interview): rebuild it with `journeytape map`",
        )
