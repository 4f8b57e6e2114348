"""Exports of a reviewed workspace: excerpts (CSV, XLSX), journey timeline (CSV, JSON), Markdown.

Every export reads the workspace with the review decisions applied: rejected tags are left
out, edited labels/values and corrected words are used, renamed speakers carry their new
names. ``include_pending=False`` keeps only tags a person accepted (or added).

Spreadsheet safety: a transcript is untrusted text, and a cell that starts with ``=``, ``+``,
``-``, ``@`` is run as a formula by spreadsheet programs. Text cells that start so are written
with a leading apostrophe in CSV and as explicit strings in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from journeytape.annotate.annotations import LABELS
from journeytape.erasure import (
    QUOTED_ATTRS,
    QUOTES_NOTE,
    QUOTES_WITHHELD,
    quotes_allowed_for_transcript,
)
from journeytape.presentation import clock, md_escape

from .store import InterviewView, TagView, Workspace, WorkspaceError


@dataclass
class Excerpt:
    interview: str
    speaker: str
    role: str | None
    label: str
    value: str | None
    quote: str
    start: float
    end: float
    status: str
    origin: str
    confidence: float
    polarity: float | None
    score_0_10: float | None
    rule: str
    segment_id: int
    tag_id: str
    reviewed_by: str | None
    reviewed_at: str | None


EXCERPT_FIELDS = list(Excerpt.__dataclass_fields__)


@dataclass
class Touchpoint:
    interview: str
    order: int
    start: float
    end: float
    label: str
    item: str | None
    speaker: str
    quote: str
    #: mean polarity (-1..1) of the emotion tags in the same turn, None when there are none
    valence: float | None
    emotions: str
    score_0_10: float | None


TIMELINE_FIELDS = list(Touchpoint.__dataclass_fields__)


def _num(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def polarity(t: TagView) -> float | None:
    return _num(t.attrs.get("polarity")) if t.label == "EMOTION" else None


def score(t: TagView) -> float | None:
    if t.label != "SCORE":
        return None
    s = _num(t.attrs.get("score_0_10"))
    return s if s is not None else _num(t.value)


def selected_tags(view: InterviewView, include_pending: bool = True) -> list[TagView]:
    keep = ("accepted", "pending") if include_pending else ("accepted",)
    return [t for t in view.tags if t.status in keep]


def load_views(ws: Workspace, names: list[str] | None = None) -> list[InterviewView]:
    """The interviews with decisions applied; quotes withheld where consent excludes them."""
    out = []
    for s in ws.interviews():
        if names and s.name not in names:
            continue
        v = ws.interview(s.id)
        row = ws.conn.execute(
            "SELECT transcript_path FROM interviews WHERE id = ?", (s.id,)
        ).fetchone()
        if not quotes_allowed_for_transcript(row["transcript_path"] if row else None):
            withhold_quotes(v)
        out.append(v)
    if names:
        missing = set(names) - {v.name for v in out}
        if missing:
            raise WorkspaceError(f"no interview named {', '.join(sorted(missing))}")
    return out


def withhold_quotes(view: InterviewView) -> None:
    """Replace every quote of this interview by a note that says why (consent scope)."""
    view.quotes_withheld = True
    for t in view.tags:
        t.text = QUOTES_WITHHELD
        t.attrs = {k: ("(withheld)" if k in QUOTED_ATTRS else v) for k, v in t.attrs.items()}


def excerpts(views: list[InterviewView], include_pending: bool = True) -> list[Excerpt]:
    rows = []
    for v in views:
        for t in selected_tags(v, include_pending):
            rows.append(
                Excerpt(
                    interview=v.name,
                    speaker=v.speaker_label(t.speaker),
                    role=t.role,
                    label=t.label,
                    value=t.value,
                    quote=t.text,
                    start=round(t.start, 3),
                    end=round(t.end, 3),
                    status=t.status,
                    origin=t.origin,
                    confidence=round(t.confidence, 3),
                    polarity=polarity(t),
                    score_0_10=score(t),
                    rule=t.rule,
                    segment_id=t.segment_id,
                    tag_id=t.id,
                    reviewed_by=t.who,
                    reviewed_at=t.at,
                )
            )
    return rows


def turns(view: InterviewView) -> dict[int, int]:
    """segment id -> turn number (consecutive segments of one speaker form a turn)."""
    out, turn, prev = {}, -1, object()
    for s in view.segments:
        if s.speaker != prev:
            turn += 1
            prev = s.speaker
        out[s.id] = turn
    return out


def timeline(views: list[InterviewView], include_pending: bool = True) -> list[Touchpoint]:
    """Touchpoints and channels in the order they were talked about, each with the emotion
    valence and scores said in the same turn."""
    rows = []
    for v in views:
        turn_of = turns(v)
        tags = selected_tags(v, include_pending)
        order = 0
        for t in tags:
            if t.label not in ("TOUCHPOINT", "CHANNEL"):
                continue
            turn = turn_of.get(t.segment_id)
            same = [x for x in tags if turn_of.get(x.segment_id) == turn]
            pols = [p for x in same if (p := polarity(x)) is not None]
            emos = [
                str(x.attrs.get("emotion") or x.value or x.text)
                for x in same
                if x.label == "EMOTION"
            ]
            scores = [s for x in same if (s := score(x)) is not None]
            order += 1
            rows.append(
                Touchpoint(
                    interview=v.name,
                    order=order,
                    start=round(t.start, 3),
                    end=round(t.end, 3),
                    label=t.label,
                    item=t.value,
                    speaker=v.speaker_label(t.speaker),
                    quote=t.text,
                    valence=round(sum(pols) / len(pols), 3) if pols else None,
                    emotions="; ".join(dict.fromkeys(emos)),
                    score_0_10=round(sum(scores) / len(scores), 2) if scores else None,
                )
            )
    return rows


# -- writers ----------------------------------------------------------------------------------


def _safe_cell(x: Any) -> Any:
    if isinstance(x, str) and x[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + x
    return x


def _csv_bytes(fields: list[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _safe_cell("" if r[k] is None else r[k]) for k in fields})
    # a BOM so that spreadsheet programs read UTF-8 (ü, ß, é) correctly
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def excerpts_csv(views, include_pending=True) -> bytes:
    return _csv_bytes(EXCERPT_FIELDS, [asdict(e) for e in excerpts(views, include_pending)])


def timeline_csv(views, include_pending=True) -> bytes:
    return _csv_bytes(TIMELINE_FIELDS, [asdict(t) for t in timeline(views, include_pending)])


def timeline_json(views, include_pending=True) -> dict[str, Any]:
    rows = timeline(views, include_pending)
    return {
        "kind": "journeytape.timeline",
        "schema_version": "1.0",
        "interviews": [
            {
                "name": v.name,
                "language": v.language,
                "touchpoints": [asdict(r) for r in rows if r.interview == v.name],
            }
            for v in views
        ],
    }


def excerpts_xlsx(views, include_pending=True) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets = [
        ("Excerpts", EXCERPT_FIELDS, [asdict(e) for e in excerpts(views, include_pending)]),
        ("Timeline", TIMELINE_FIELDS, [asdict(t) for t in timeline(views, include_pending)]),
        (
            "Coverage",
            ["interview", "item", "kind", "label", "covered", "mentions", "first_mention"],
            [
                {"interview": v.name, **{k: getattr(c, k) for k in vars(c)}}
                for v in views
                for c in v.coverage
            ],
        ),
    ]
    for i, (title, fields, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(fields)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append([r[k] for k in fields])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the transcript says
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for j, f in enumerate(fields, start=1):
            width = 60 if f in ("quote",) else max(10, min(30, len(f) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def markdown(views: list[InterviewView], include_pending: bool = True) -> str:
    lines = ["# journeytape review report", ""]
    lines.append(
        "Tags shown: "
        + ("accepted and not yet reviewed" if include_pending else "accepted only")
        + "; rejected tags are left out."
    )
    lines.append("")
    tl = timeline(views, include_pending)
    for v in views:
        tags = selected_tags(v, include_pending)
        decided = sum(1 for t in v.tags if t.status != "pending")
        lines += [f"## {md_escape(v.name)}", ""]
        lines.append(
            f"Language {v.language or '?'}, {clock(v.duration)}; {len(tags)} tags "
            f"({decided} of {len(v.tags)} reviewed). Speakers: "
            + ", ".join(
                f"{md_escape(s.label)}" + (f" ({s.role})" if s.role else "")
                for s in v.speakers.values()
            )
        )
        lines.append("")
        if v.quotes_withheld:
            lines += [QUOTES_NOTE, ""]
        if v.coverage:
            lines += ["### Checklist coverage", "", "| item | kind | covered | mentions | first |"]
            lines.append("|---|---|---|---|---|")
            for c in v.coverage:
                lines.append(
                    f"| {md_escape(c.label)} | {c.kind} | {'yes' if c.covered else '**no**'} | "
                    f"{c.mentions} | {clock(c.first_mention)} |"
                )
            never = [c.label for c in v.coverage if not c.covered]
            if never:
                lines += ["", "Never discussed: " + ", ".join(md_escape(n) for n in never) + "."]
            lines.append("")
        rows = [t for t in tl if t.interview == v.name]
        if rows:
            lines += ["### Journey", "", "| # | time | touchpoint | valence | score | quote |"]
            lines.append("|---|---|---|---|---|---|")
            for r in rows:
                val = "" if r.valence is None else f"{r.valence:+.2f}"
                sc = "" if r.score_0_10 is None else f"{r.score_0_10:g}/10"
                lines.append(
                    f"| {r.order} | {clock(r.start)} | {md_escape(r.item or r.label)} | "
                    f"{val} | {sc} | "
                    f"{md_escape(r.quote)} |"
                )
            lines.append("")
        for label in LABELS:
            group = [t for t in tags if t.label == label]
            if not group:
                continue
            lines += [f"### {label.title()} ({len(group)})", ""]
            for t in group:
                mark = "" if t.status == "accepted" else " _(not reviewed)_"
                who = md_escape(v.speaker_label(t.speaker))
                lines.append(
                    f"- [{clock(t.start)}] **{md_escape(t.value or '')}** — {who}: "
                    f"“{md_escape(t.text)}”{mark}"
                )
            lines.append("")
    if len(views) > 1:
        lines += ["## Across interviews", ""]
        counts = Counter(
            t.value
            for v in views
            for t in selected_tags(v, include_pending)
            if t.label == "CHANNEL"
        )
        if counts:
            lines += ["| channel | mentions |", "|---|---|"]
            lines += [f"| {md_escape(k or '?')} | {n} |" for k, n in counts.most_common()]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
