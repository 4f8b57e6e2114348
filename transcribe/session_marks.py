"""Markers and ticks from a recorder session, for the transcript JSON (schema 1.1).

``journeytape record`` keeps what the interviewer marked live (``m``: a marker with a label)
and ticked (checklist keys) in ``session.json`` beside ``recording.wav``. They belong to the
recording's timeline, so the transcript carries them to annotation (a tick is coverage
evidence, a marker labelled like a peak a PEAK candidate) and to the review page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SESSION_FORMAT = "journeytape-session"


def session_marks(recording: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(markers, ticks) of the recorder session whose audio is ``recording``; empty lists for
    any other file (or an unreadable session.json: the transcript must not fail for it)."""
    path = Path(recording)
    try:
        data = json.loads((path.parent / "session.json").read_text("utf-8"))
    except (OSError, ValueError):
        return [], []
    if not isinstance(data, dict) or data.get("format") != SESSION_FORMAT:
        return [], []
    audio_file = (data.get("audio") or {}).get("file")
    if audio_file and audio_file != path.name:
        return [], []
    markers = [
        {"t": round(float(m["t"]), 3), "label": str(m.get("label") or "")}
        for m in data.get("markers") or []
        if isinstance(m, dict) and isinstance(m.get("t"), int | float)
    ]
    ticks = [
        {
            "t": round(float(c["ticked_at"]), 3),
            "item": str(c["id"]),
            "label": c.get("label"),
            "kind": c.get("kind"),
        }
        for c in data.get("checklist") or []
        if isinstance(c, dict) and isinstance(c.get("ticked_at"), int | float) and c.get("id")
    ]
    return sorted(markers, key=lambda m: m["t"]), sorted(ticks, key=lambda c: c["t"])
