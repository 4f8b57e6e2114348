"""Decision replay: the annotator's tags and the transcriber's text plus the reviewers' log of
decisions → what a reviewer sees now. Pure functions over plain values, no SQLite.

The log is append-only (who decided what, when); nothing is ever written back into the
transcript or annotations JSON. Replaying it is the one definition of "the current state":
the interview page, the exports and the per-tag state the start page counts
(``tag_state`` in the workspace, refreshed with :func:`replay_tag` whenever a decision is
written) all come from here, so they cannot disagree.

Rules, per target: the latest decision of each kind wins; an edit is compared with the
annotator's label and value (editing back to them is no edit); ``revert`` undoes an edit;
a decision whose tag, word or speaker is gone is kept and reported as an orphan.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .derive import apply_derived
from .views import CoverageView, Fix, InterviewView, SegmentView, SpeakerView, TagView

#: decision kinds and what their ``target`` is
TAG_STATUS = "tag_status"  # target: tag id; payload {"status": accepted|rejected|pending}
TAG_EDIT = "tag_edit"  # target: tag id; payload {"label", "value", "note"} or {"revert": true}
TAG_ADD = "tag_add"  # target: new tag id; payload {"segment_id", "start_char", ...}
WORD_FIX = "word_fix"  # target: "seg:start-end"; payload {"segment_id", ..., "old", "new"}
SPEAKER_RENAME = "speaker_rename"  # target: speaker id; payload {"label"}
KINDS = (TAG_STATUS, TAG_EDIT, TAG_ADD, WORD_FIX, SPEAKER_RENAME)
STATUSES = ("pending", "accepted", "rejected")
#: labels whose value is a checklist item id (coverage counts them by value)
CHECKLIST_LABELS = ("CHANNEL", "TOUCHPOINT")


@dataclass(frozen=True)
class Decision:
    """One entry of the decision log."""

    kind: str
    target: str
    payload: dict[str, Any]
    who: str
    at: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Decision:
        """From a ``decisions`` row (payload as JSON text)."""
        return cls(row["kind"], row["target"], json.loads(row["payload"]), row["who"], row["at"])


def latest(decisions: Iterable[Decision]) -> dict[tuple[str, str], Decision]:
    """The latest decision per (kind, target), in the order each pair first occurred."""
    out: dict[tuple[str, str], Decision] = {}
    for d in decisions:
        out[(d.kind, d.target)] = d
    return out


def replay_tag(tag: TagView, decisions: Iterable[Decision]) -> TagView:
    """``tag`` (as the annotator made it, or as a reviewer added it) after its status and
    edit decisions, given in the order they were made. Returns a new tag."""
    status: Decision | None = None
    edit: Decision | None = None
    for d in decisions:
        if d.kind == TAG_STATUS:
            status = d
        elif d.kind == TAG_EDIT:
            edit = d
    t = copy.copy(tag)
    t.attrs = dict(tag.attrs)
    if status is not None:
        t.status = status.payload["status"]
    if edit is not None and not edit.payload.get("revert"):  # revert: the annotator's stand
        p = edit.payload
        if (p["label"], p.get("value")) != (t.label, t.value):
            t.original_label, t.original_value = t.label, t.value
            if "attrs" in p:  # numbers parsed from the new value (derive.py)
                t.attrs = apply_derived(t.attrs, t.label, p["attrs"])
            t.label, t.value = p["label"], p.get("value")
        t.note = p.get("note") or t.note
    for d in (status, edit):
        if d is not None and (t.at is None or d.at >= t.at):
            t.who, t.at = d.who, d.at
    return t


def add_fits(payload: Mapping[str, Any], original_text: str | None) -> bool:
    """A tag added in review still fits its segment (``None``: the segment is gone)."""
    return original_text is not None and payload["end_char"] <= len(original_text)


def fix_fits(payload: Mapping[str, Any], original_text: str | None) -> bool:
    """A word fix still applies: the segment has the word it replaced at its offsets."""
    s, e = payload["start_char"], payload["end_char"]
    return (
        original_text is not None
        and 0 <= s < e <= len(original_text)
        and original_text[s:e] == payload["old"]
    )


def added_tag(d: Decision, seg: SegmentView, role: str | None) -> TagView:
    """A tag a reviewer added (``d`` is its latest ``tag_add``), before status and edits."""
    p = d.payload
    start, end = span_times(seg, p["start_char"], p["end_char"])
    note = {"note": p["note"]} if p.get("note") else {}
    return TagView(
        d.target,
        p["label"],
        p.get("value"),
        seg.id,
        p["start_char"],
        p["end_char"],
        "",
        start,
        end,
        seg.speaker,
        role,
        f"user:{d.who}",
        1.0,
        {**p.get("attrs", {}), **note},
        origin="user",
        status="accepted",
        who=d.who,
        at=d.at,
    )


def span_times(seg: SegmentView, start_char: int, end_char: int) -> tuple[float, float]:
    """Seconds covered by the words overlapping a character span (segment bounds otherwise)."""
    inside = [w for w in seg.words if w.start_char < end_char and w.end_char > start_char]
    if not inside:
        return seg.start, seg.end
    return min(w.start for w in inside), max(w.end for w in inside)


def coverage(items: list[dict[str, Any]], tags: list[TagView]) -> list[CoverageView]:
    """Checklist coverage after review: rejected tags do not count, added/edited ones do."""
    out = []
    for ci in items:
        ids = set(ci.get("tag_ids") or ())
        mentions = [
            t
            for t in tags
            if t.visible
            and (
                (t.id in ids and not t.edited)
                or (t.label in CHECKLIST_LABELS and t.value == ci["item"])
            )
        ]
        out.append(
            CoverageView(
                ci["item"],
                ci["kind"],
                ci["label"],
                bool(mentions) or ci.get("ticked_live") is not None,
                len(mentions),
                min((t.start for t in mentions), default=None),
                ci.get("ticked_live"),
            )
        )
    return out


# -- a whole interview ------------------------------------------------------------------------


class _Replay:
    """Replays one interview's log; collects orphans in the order they are found."""

    def __init__(self, name: str, segments: list[SegmentView], decisions: list[Decision]):
        self.name = name
        self.segments = segments
        self.by_id = {s.id: s for s in segments}
        self.decisions = decisions
        self.latest = latest(decisions)
        self.orphans: list[dict[str, Any]] = []

    def orphan(self, d: Decision) -> None:
        self.orphans.append(
            {"interview": self.name, "kind": d.kind, "target": d.target, **d.payload}
        )

    def of_kind(self, kind: str) -> list[Decision]:
        return [d for (k, _), d in self.latest.items() if k == kind]

    def text_of(self, seg_id: int) -> str | None:
        seg = self.by_id.get(seg_id)
        return seg.original_text if seg is not None else None

    def apply_fixes(self) -> None:
        fixes: dict[int, list[Fix]] = {}
        for d in self.of_kind(WORD_FIX):
            p = d.payload
            if not fix_fits(p, self.text_of(p["segment_id"])):
                self.orphan(d)
            elif p["new"] != p["old"]:  # equal: a fix undone
                fix = Fix(p["start_char"], p["end_char"], p["old"], p["new"], d.who, d.at)
                fixes.setdefault(p["segment_id"], []).append(fix)
        for s in self.segments:
            s.apply_fixes(fixes.get(s.id, []))

    def tags(self, base: list[TagView], roles: dict[str, str | None]) -> list[TagView]:
        tags = list(base)
        for d in self.of_kind(TAG_ADD):
            if d.payload.get("deleted"):
                continue  # its author deleted it
            if not add_fits(d.payload, self.text_of(d.payload["segment_id"])):
                self.orphan(d)
                continue
            seg = self.by_id[d.payload["segment_id"]]
            tags.append(added_tag(d, seg, roles.get(seg.speaker or "")))
        known = {t.id for t in tags}
        for (kind, target), d in self.latest.items():
            if kind in (TAG_STATUS, TAG_EDIT) and target not in known:
                self.orphan(d)
        per_tag: dict[str, list[Decision]] = {}
        for d in self.decisions:
            if d.kind in (TAG_STATUS, TAG_EDIT):
                per_tag.setdefault(d.target, []).append(d)
        # tags nobody decided on are used as they are (they were made for this replay)
        out = [replay_tag(t, per_tag[t.id]) if t.id in per_tag else t for t in tags]
        for t in out:
            seg = self.by_id.get(t.segment_id)
            if seg is not None:
                t.text = seg.display(t.start_char, t.end_char)
        out.sort(key=lambda t: (t.start, t.segment_id, t.start_char, t.id))
        return out

    def speakers(self, listed: list[dict[str, Any]]) -> dict[str, SpeakerView]:
        speakers = {
            s["id"]: SpeakerView(s["id"], s["label"], s.get("role"), s["label"]) for s in listed
        }
        for seg in self.segments:
            if seg.speaker and seg.speaker not in speakers:
                speakers[seg.speaker] = SpeakerView(seg.speaker, seg.speaker, None, seg.speaker)
        for d in self.of_kind(SPEAKER_RENAME):
            if d.target in speakers:
                speakers[d.target].label = d.payload["label"]
            else:
                self.orphan(d)
        return speakers


def replay_interview(
    row: Mapping[str, Any],
    segments: list[SegmentView],
    base_tags: list[TagView],
    decisions: list[Decision],
    markers: list[dict[str, Any]] | None = None,
) -> InterviewView:
    """The interview as a reviewer sees it. ``row`` is its ``interviews`` row, ``segments``
    as transcribed (fixes are applied to them here), ``base_tags`` as annotated,
    ``decisions`` its log in order."""
    r = _Replay(row["name"], segments, decisions)
    r.apply_fixes()
    listed = json.loads(row["speakers"])
    tags = r.tags(base_tags, {s["id"]: s.get("role") for s in listed})
    speakers = r.speakers(listed)
    annotated = row["annotations_sha256"] is not None
    return InterviewView(
        id=row["id"],
        name=row["name"],
        language=row["language"],
        duration=row["duration"],
        audio_path=row["audio_path"],
        annotated=annotated,
        stale=annotated and row["annotated_for"] != row["transcript_sha256"],
        pipeline=json.loads(row["pipeline"]) if row["pipeline"] else None,
        segments=segments,
        tags=tags,
        speakers=speakers,
        coverage=coverage(json.loads(row["coverage"]), tags),
        orphans=r.orphans,
        markers=markers or [],
    )
