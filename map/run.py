"""Write a study's journey map and interview-quality report into a folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

from journeytape.annotate.guide import Guide
from journeytape.annotate.review.store import Workspace
from journeytape.files import atomic_write_text

from . import journey, render

MAP_JSON = "journey-map.json"
MAP_HTML = "journey-map.html"


def _private_folder(folder: Path) -> None:
    """Interview content: the output folder is the user's alone when we create it."""
    if not folder.exists():
        folder.mkdir(parents=True)
        os.chmod(folder, 0o700)


def write_study(
    ws: Workspace, guide: Guide, out: str | Path, names: list[str] | None = None
) -> list[Path]:
    """Build and write journey-map.json/.html (0600: they quote the interviews)."""
    out = Path(out)
    _private_folder(out)
    m = journey.build(ws, guide, names)
    written = [
        atomic_write_text(out / MAP_JSON, json.dumps(m, ensure_ascii=False, indent=2) + "\n"),
        atomic_write_text(out / MAP_HTML, render.standalone_html(m)),
    ]
    for p in written:
        os.chmod(p, 0o600)
    return written
