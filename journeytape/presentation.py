"""How every stage shows things to a person: label names and colours, clock times, escaping.

One home, so a report, the review app, an export and the journey map never disagree: before,
label metadata lived in five files, six clock formatters rounded differently and three
Markdown escapers escaped different characters. File formats with their own time syntax (SRT,
WebVTT, RTTM) keep their writers in ``transcribe/writers.py``; this module is for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """One tag label as people see it."""

    key: str
    #: plural heading in reports and the review sidebar
    title: str
    #: one colour per label: web app, SVG curve, REFI-QDA codebook, spreadsheet
    colour: str
    #: tagged only in the respondent's own turns (codebook: "respondent-only labels")
    respondent_only: bool


_LABELS = (
    Label("CHANNEL", "Channels", "#1f77b4", False),
    Label("TOUCHPOINT", "Touchpoints", "#2ca02c", False),
    Label("GOAL", "Goals", "#9467bd", True),
    Label("EMOTION", "Emotions", "#d62728", True),
    Label("SCORE", "Scores", "#ff7f0e", True),
    Label("EXPECTATION", "Expectations", "#8c564b", True),
    Label("PEAK", "Peaks (high and low points)", "#e377c2", True),
)
#: the labels in the order every view lists them
LABELS: tuple[str, ...] = tuple(label.key for label in _LABELS)
LABEL_INFO: dict[str, Label] = {label.key: label for label in _LABELS}
LABEL_TITLES: dict[str, str] = {label.key: label.title for label in _LABELS}
LABEL_COLORS: dict[str, str] = {label.key: label.colour for label in _LABELS}


def clock(seconds: float | None, *, hours: bool = False, tenths: bool = False) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on, or always with ``hours``) for a moment.

    Rounds *down*: a quote shown at 1:05 must not start after the first word said at 1:05.9,
    and a player seeking to the shown time then hears the whole quote. ``tenths`` adds one
    decimal (log lines); ``None`` (no time known) is an en dash.
    """
    if seconds is None:
        return "–"
    seconds = max(0.0, float(seconds))
    whole = int(seconds)
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    frac = f".{int(seconds * 10) % 10}" if tenths else ""
    if h or hours:
        return f"{h}:{m:02d}:{s:02d}{frac}"
    return f"{m}:{s:02d}{frac}"


_MD_SPECIAL = re.compile(r"([\\`*_#<>\[\]|])")


def md_escape(text: str) -> str:
    """Text that Markdown shows literally, also inside a table cell (one line, ``|`` escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
