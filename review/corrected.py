"""The corrected transcript: the transcriber's file with the reviewers' word fixes and speaker
names applied, in the formats people read (txt, md, srt, vtt, docx) and as transcript JSON.

Review never rewrites the transcriber's JSON (decisions are replayed on reading, see
``store.py``); these exports are where corrections leave the workspace. The JSON keeps the
transcript contract (``load_transcript`` reads it) and records what was changed, by whom
and when, under ``"corrections"``, plus a line in ``warnings`` that says it was edited.
Readable formats reuse the transcriber's writers (``transcribe/writers.py``), so turns,
cue lengths and escaping are the same as for a fresh transcript.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import replace
from typing import Any

from journeytape.transcribe import writers
from journeytape.transcribe.transcript import Segment, Transcript, Word, load_transcript

from .store import InterviewView, SegmentView, Workspace

#: corrected-transcript formats: format -> file suffix after the interview name
SUFFIXES = {
    "txt": ".corrected.txt",
    "md": ".corrected.md",
    "srt": ".corrected.srt",
    "vtt": ".corrected.vtt",
    "docx": ".corrected.docx",
    "json": ".corrected.transcript.json",
}


def _words(seg: SegmentView, original: Segment) -> list[Word]:
    """The segment's words with fixes applied: the words a fix overlaps become one word with
    the new text, spanning their times (subtitle cues are cut at words)."""
    if not seg.fixes:
        return copy.deepcopy(original.words)
    out: list[Word] = []
    spans = {w.index: (w.start_char, w.end_char) for w in seg.words}
    done: set[int] = set()
    for i, w in enumerate(original.words):
        s, e = spans.get(i, (-1, -1))
        fix = next((f for f in seg.fixes if s >= 0 and s < f.end_char and e > f.start_char), None)
        if fix is None:
            out.append(copy.deepcopy(w))
            continue
        if id(fix) in done:
            out[-1].end = max(out[-1].end, w.end)
            continue
        done.add(id(fix))
        lead = w.word[: len(w.word) - len(w.word.lstrip())]
        out.append(replace(w, word=lead + fix.new, probability=1.0))
    return out


def corrected(ws: Workspace, view: InterviewView) -> tuple[Transcript, dict[str, Any]]:
    """The interview's transcript with corrections applied, and the record of them."""
    row = ws.conn.execute(
        "SELECT transcript_path FROM interviews WHERE id = ?", (view.id,)
    ).fetchone()
    t = load_transcript(row["transcript_path"])
    by_id = {s.id: s for s in view.segments}
    fixes, renames = [], []
    for seg in t.segments:
        v = by_id.get(seg.id)
        if v is None or not v.fixes:
            continue
        seg.words = _words(v, seg)
        seg.text = v.text
        fixes += [{"segment_id": seg.id, **{k: getattr(f, k) for k in vars(f)}} for f in v.fixes]
    for sp in t.speakers:
        new = view.speakers.get(sp.id)
        if new is not None and new.label != sp.label:
            renames.append({"speaker": sp.id, "old": sp.label, "new": new.label})
            sp.label = new.label
    record = {
        "from": str(row["transcript_path"]),
        "interview": view.name,
        "word_fixes": fixes,
        "speaker_renames": renames,
    }
    if fixes or renames:
        t.warnings = [
            *t.warnings,
            f"corrected in review: {len(fixes)} word fix(es), {len(renames)} speaker "
            'rename(s); see "corrections"',
        ]
    return t, record


def render(ws: Workspace, view: InterviewView, fmt: str) -> bytes:
    """One interview's corrected transcript in ``fmt`` (a key of ``SUFFIXES``)."""
    t, record = corrected(ws, view)
    if fmt == "json":
        d = t.to_dict()
        d["corrections"] = record
        return (json.dumps(d, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "docx":
        return to_docx(t, view.name)
    text = {"txt": writers.to_txt, "md": writers.to_md, "srt": writers.to_srt,
            "vtt": writers.to_vtt}[fmt](t)  # fmt: skip
    return text.encode("utf-8")


def to_docx(t: Transcript, title: str) -> bytes:
    """A Word document (python-docx): one paragraph per turn, the speaker in bold with the
    time, so a researcher can annotate it in their word processor."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=1)
    meta = f"language {t.language}, {writers.hms(t.recording.duration)}"
    if t.speakers:
        meta += "; speakers: " + ", ".join(s.label for s in t.speakers)
    doc.add_paragraph(meta).runs[0].italic = True
    for w in t.warnings:
        doc.add_paragraph(w).runs[0].font.size = Pt(9)
    for b in writers.blocks(t):
        p = doc.add_paragraph()
        head = f"{b.label} [{writers.hms(b.start)}]: " if b.label else f"[{writers.hms(b.start)}] "
        p.add_run(head).bold = True
        p.add_run(_xml_safe(b.text))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _xml_safe(text: str) -> str:
    """Word's XML cannot hold control characters (a transcript could, in theory)."""
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)
