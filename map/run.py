"""Write a study's journey map and interview-quality report into a folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

from journeytape.files import atomic_write_text
from journeytape.guide import Guide
from journeytape.review.exports import load_views
from journeytape.review.store import Workspace

from . import journey, quality, quality_report, render

MAP_JSON = "journey-map.json"
MAP_HTML = "journey-map.html"
QUALITY_JSON = "interview-quality.json"
QUALITY_MD = "interview-quality.md"


def _json(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, indent=2) + "\n"


def _private_folder(folder: Path) -> None:
    """Interview content: the output folder is the user's alone when we create it."""
    if not folder.exists():
        folder.mkdir(parents=True)
        os.chmod(folder, 0o700)


def write_study(
    ws: Workspace, guide: Guide, out: str | Path, names: list[str] | None = None
) -> list[Path]:
    """Build and write journey-map.json/.html and interview-quality.json/.md (0600: they
    quote the interviews)."""
    out = Path(out)
    _private_folder(out)
    views = load_views(ws, names)
    m = journey.build(ws, guide, views=views)
    q = quality.check_study(views)
    written = [
        atomic_write_text(out / MAP_JSON, _json(m)),
        atomic_write_text(out / MAP_HTML, render.standalone_html(m, q)),
        atomic_write_text(out / QUALITY_JSON, _json(q)),
        atomic_write_text(out / QUALITY_MD, quality_report.markdown(q)),
    ]
    for p in written:
        os.chmod(p, 0o600)
    return written


def warnings_of(map_json: Path) -> list[str]:
    return json.loads(Path(map_json).read_text("utf-8")).get("warnings", [])
