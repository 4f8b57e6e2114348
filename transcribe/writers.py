"""Write a transcript in the formats people use: JSON (the contract), txt, md, srt, vtt, rttm.

``base`` is the output path without suffix (``out/sub/name``). Every file is written
atomically; the JSON is written last, so a transcript JSON on disk means its sibling files
of the same run are complete too (the batch runner relies on it to resume).

Readable formats (txt, md) show *turns*: consecutive segments of one speaker joined, labelled
with the speaker's human label (``Interviewer [00:01:12]: …``). Without speakers they show
timestamped paragraphs, broken at pauses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from journeytape.files import atomic_write_text
from journeytape.presentation import md_escape
from journeytape.transcribe.transcript import SUFFIX, Segment, Transcript, save_transcript

FORMATS = ("json", "txt", "md", "srt", "vtt", "rttm")
#: a pause this long (seconds) starts a new paragraph when speakers are unknown
PARAGRAPH_PAUSE = 1.5
PARAGRAPH_CHARS = 600
#: subtitle cue limits (common broadcast guidance: 2 lines x 42 characters, <= 7 s)
CUE_CHARS = 84
CUE_LINE = 42
CUE_SECONDS = 7.0
UNKNOWN_SPEAKER = "(unknown)"


def output_paths(base: Path, formats: Iterable[str]) -> dict[str, Path]:
    base = Path(base)
    return {
        f: base.with_name(base.name + (SUFFIX if f == "json" else f".{f}"))
        for f in formats
        if f in FORMATS
    }


def has_speakers(t: Transcript) -> bool:
    return any(s.speaker is not None for s in t.segments)


def write_outputs(transcript: Transcript, base: Path, formats: Iterable[str]) -> list[Path]:
    """Write the requested formats beside ``base``; return the paths written.

    ``rttm`` is only written when speakers are known (a stale one from an earlier run with
    speakers is removed, so the files never disagree).
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown output format(s): {', '.join(unknown)}; known: {FORMATS}")
    paths = output_paths(Path(base), formats)
    written: list[Path] = []
    renderers = {"txt": to_txt, "md": to_md, "srt": to_srt, "vtt": to_vtt, "rttm": to_rttm}
    for fmt, path in paths.items():
        if fmt == "json":
            continue
        if fmt == "rttm" and not has_speakers(transcript):
            path.unlink(missing_ok=True)
            continue
        written.append(atomic_write_text(path, renderers[fmt](transcript)))
    if "json" in paths:
        written.append(save_transcript(transcript, paths["json"]))
    return written


# -- time formats --------------------------------------------------------------------------


def hms(t: float) -> str:
    t = max(0, int(t))
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"


def _stamp(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_time(t: float) -> str:
    return _stamp(t, ",")


def vtt_time(t: float) -> str:
    return _stamp(t, ".")


# -- turns and paragraphs ------------------------------------------------------------------


@dataclass
class Block:
    """A turn (one speaker) or a paragraph (no speakers): what readable formats print."""

    start: float
    end: float
    text: str
    label: str | None


def blocks(t: Transcript) -> list[Block]:
    out: list[Block] = []
    speakers = has_speakers(t)
    for seg in t.segments:
        text = seg.text.strip()
        if not text:
            continue
        label = (t.speaker_label(seg.speaker) or UNKNOWN_SPEAKER) if speakers else None
        if out:
            last = out[-1]
            same = (
                label == last.label
                if speakers
                else seg.start - last.end < PARAGRAPH_PAUSE and len(last.text) < PARAGRAPH_CHARS
            )
            if same:
                last.text = f"{last.text} {text}"
                last.end = seg.end
                continue
        out.append(Block(seg.start, seg.end, text, label))
    return out


def to_txt(t: Transcript) -> str:
    lines = []
    for b in blocks(t):
        if b.label is not None:
            lines.append(f"{b.label} [{hms(b.start)}]: {b.text}")
        else:
            lines.append(f"[{hms(b.start)}] {b.text}")
    return "\n\n".join(lines) + "\n"


def to_md(t: Transcript) -> str:
    name = Path(t.recording.path).name
    asr = t.models.get("asr") or {}
    meta = [
        f"language {t.language} ({t.language_probability:.2f})",
        f"duration {hms(t.recording.duration)}",
    ]
    if asr.get("name"):
        meta.append(f"model {asr['name']}")
    if t.speakers:
        meta.append("speakers: " + ", ".join(s.label for s in t.speakers))
    if t.created:
        meta.append(f"transcribed {t.created}")
    out = [f"# {md_escape(name)}", "", "*" + " · ".join(md_escape(m) for m in meta) + "*", ""]
    for w in t.warnings:
        out += [f"> **Note:** {md_escape(w)}", ""]
    for b in blocks(t):
        if b.label is not None:
            out.append(f"**{md_escape(b.label)}** [{hms(b.start)}]: {md_escape(b.text)}")
        else:
            out.append(f"**[{hms(b.start)}]** {md_escape(b.text)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# -- subtitles -----------------------------------------------------------------------------


@dataclass
class Cue:
    start: float
    end: float
    text: str
    label: str | None


def _wrap(text: str) -> str:
    """Break a cue into at most two lines, at the space that makes the longer line shortest
    (the middle space can leave 43 characters on one line where another gives 42)."""
    if len(text) <= CUE_LINE:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: (max(i, len(text) - i - 1), abs(2 * i - len(text))))
    return text[:cut] + "\n" + text[cut + 1 :]


def _fits(text: str) -> bool:
    """Does ``text`` make a cue of at most two lines of ``CUE_LINE`` characters?"""
    return len(text) <= CUE_CHARS and all(len(x) <= CUE_LINE for x in _wrap(text).split("\n"))


def _prefix(label: str | None) -> str:
    """What an SRT cue shows before the words (``Label: ``): it counts toward the lines."""
    return f"{label}: " if label is not None else ""


def _segment_cues(seg: Segment, label: str | None) -> list[Cue]:
    text = seg.text.strip()
    head = _prefix(label)
    if _fits(head + text) and seg.end - seg.start <= CUE_SECONDS or not seg.words:
        return [Cue(seg.start, seg.end, text, label)]
    cues: list[Cue] = []
    cur: list = []
    for w in seg.words:
        candidate = "".join(x.word for x in [*cur, w]).strip()
        too_long = not _fits(head + candidate) or (cur and w.end - cur[0].start > CUE_SECONDS)
        if cur and too_long:
            cues.append(Cue(cur[0].start, cur[-1].end, "".join(x.word for x in cur).strip(), label))
            cur = []
        cur.append(w)
    if cur:
        cues.append(Cue(cur[0].start, cur[-1].end, "".join(x.word for x in cur).strip(), label))
    return cues


def cues(t: Transcript) -> list[Cue]:
    speakers = has_speakers(t)
    out: list[Cue] = []
    for seg in t.segments:
        if not seg.text.strip():
            continue
        label = (t.speaker_label(seg.speaker) or UNKNOWN_SPEAKER) if speakers else None
        out.extend(_segment_cues(seg, label))
    # players need increasing, non-overlapping, non-empty cues
    last_end = 0.0
    for c in out:
        c.start = max(c.start, last_end)
        c.end = max(c.end, c.start + 0.1)
        last_end = c.end
    return out


def to_srt(t: Transcript) -> str:
    parts = []
    for i, c in enumerate(cues(t), 1):
        text = _wrap(_prefix(c.label) + c.text)
        parts.append(f"{i}\n{srt_time(c.start)} --> {srt_time(c.end)}\n{text}\n")
    return "\n".join(parts)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(t: Transcript) -> str:
    parts = ["WEBVTT", ""]
    for c in cues(t):
        text = _vtt_escape(_wrap(c.text).replace("-->", "->"))
        if c.label is not None:
            text = f"<v {_vtt_escape(c.label)}>{text}"
        parts += [f"{vtt_time(c.start)} --> {vtt_time(c.end)}", text, ""]
    return "\n".join(parts)


# -- who spoke when ------------------------------------------------------------------------


def _no_space(name: str) -> str:
    return re.sub(r"\s+", "_", name)


def to_rttm(t: Transcript) -> str:
    """NIST RTTM, one SPEAKER line per turn (speaker ids, which never contain spaces).

    From diarization's own ``turns`` (exact, includes speech Whisper did not transcribe, turns
    may overlap); transcripts written before schema 1.1 have none: their turns are rebuilt
    from the segments."""
    uri = re.sub(r"\s+", "_", Path(t.recording.path).stem) or "recording"
    if t.turns:
        return "".join(
            f"SPEAKER {uri} 1 {u.start:.3f} {u.end - u.start:.3f} <NA> <NA> "
            f"{_no_space(u.speaker)} <NA> <NA>\n"
            for u in sorted(t.turns, key=lambda u: (u.start, u.speaker))
            if u.end > u.start
        )
    lines = []
    turn: list[Segment] = []

    def flush() -> None:
        if turn and turn[0].speaker is not None:
            start, end = turn[0].start, max(s.end for s in turn)
            spk = re.sub(r"\s+", "_", turn[0].speaker)
            lines.append(f"SPEAKER {uri} 1 {start:.3f} {end - start:.3f} <NA> <NA> {spk} <NA> <NA>")

    for seg in t.segments:
        if turn and seg.speaker != turn[0].speaker:
            flush()
            turn = []
        turn.append(seg)
    flush()
    return "\n".join(lines) + ("\n" if lines else "")
