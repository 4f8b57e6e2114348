"""Plain-text interviews → transcripts, for trying a guide and for the labelled development set.

A researcher can type (or paste) an interview as ``I: …`` / ``R: …`` lines and annotate it
without audio: :func:`transcript_from_text` builds a valid transcript with plausible word
timestamps. The development set (``bench/annotate_devset/``) adds gold tags inline in a
Markdown-link style that nests: ``[not really frustrated](EMOTION=+)``,
``[the best moment was getting that [loaner](TOUCHPOINT=loan_laptop)](PEAK=high)``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from journeytape.transcribe.transcript import Recording, Segment, Speaker, Transcript, Word

#: seconds per word and pause between turns of the synthetic timing
WORD_SECONDS = 0.38
TURN_PAUSE = 0.6
_SPEAKERS = {
    "I": ("SPEAKER_00", "Interviewer", "interviewer"),
    "R": ("SPEAKER_01", "Respondent", "respondent"),
}
_LINE = re.compile(r"^(?P<who>[A-Z]):\s*(?P<text>.*)$")


@dataclass
class GoldSpan:
    label: str
    value: str | None
    start_char: int
    end_char: int
    text: str


@dataclass
class DevInterview:
    name: str
    language: str
    split: str  # "dev" | "heldout" | "test"
    transcript: Transcript
    #: segment id → gold spans in that segment's text
    gold: dict[int, list[GoldSpan]] = field(default_factory=dict)
    #: ``# journey:`` header: which guide of the corpus it was written for (None: the example)
    journey: str | None = None
    #: ``# style:`` header (terse, rambling, hedging, …), for reading the results per voice
    style: str | None = None


def parse_marked(text: str) -> tuple[str, list[GoldSpan]]:
    """Strip ``[text](LABEL=value; LABEL=value)`` markup; return plain text and gold spans."""
    out: list[str] = []
    stack: list[int] = []
    spans: list[GoldSpan] = []
    pos = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "[":
            stack.append(pos)
            i += 1
        elif ch == "]" and stack and text[i + 1 : i + 2] == "(":
            close = text.index(")", i)
            start = stack.pop()
            plain = "".join(out)
            for part in text[i + 2 : close].split(";"):
                label, _, value = part.strip().partition("=")
                spans.append(
                    GoldSpan(label.strip(), value.strip() or None, start, pos, plain[start:pos])
                )
            i = close + 1
        else:
            out.append(ch)
            pos += 1
            i += 1
    if stack:
        raise ValueError(f"unclosed '[' in: {text}")
    return "".join(out), spans


def transcript_from_text(
    text: str, language: str, name: str = "interview", marked: bool = False
) -> tuple[Transcript, dict[int, list[GoldSpan]]]:
    """Build a transcript from ``I: …`` / ``R: …`` lines (``#`` lines are comments)."""
    segments: list[Segment] = []
    gold: dict[int, list[GoldSpan]] = {}
    talk: dict[str, float] = {}
    t = 0.0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m or m["who"] not in _SPEAKERS:
            raise ValueError(f"{name}: expected 'I: …' or 'R: …', got {line!r}")
        body = m["text"].strip()
        spans: list[GoldSpan] = []
        if marked:
            body, spans = parse_marked(body)
        speaker = _SPEAKERS[m["who"]][0]
        words = []
        start = t
        for k, w in enumerate(body.split()):
            words.append(
                Word(
                    start=round(t, 3),
                    end=round(t + WORD_SECONDS - 0.04, 3),
                    word=(" " if k else "") + w,
                    probability=0.95,
                    speaker=speaker,
                )
            )
            t += WORD_SECONDS
        seg = Segment(
            id=len(segments),
            start=round(start, 3),
            end=round(t, 3),
            text=body,
            speaker=speaker,
            words=words,
        )
        talk[speaker] = talk.get(speaker, 0.0) + (t - start)
        if spans:
            gold[seg.id] = spans
        segments.append(seg)
        t += TURN_PAUSE
    speakers = [
        Speaker(
            id=sid,
            label=label,
            role=role,
            role_source="text",
            role_confidence=1.0,
            talk_time=round(talk.get(sid, 0.0), 3),
        )
        for sid, label, role in _SPEAKERS.values()
        if sid in talk
    ]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    recording = Recording(
        path=f"{name}.txt",
        sha256=digest,
        duration=round(t, 3),
        sample_rate=16000,
        channels=1,
        size_bytes=len(text.encode("utf-8")),
        format="text",
    )
    transcript = Transcript(
        recording=recording,
        language=language,
        language_probability=1.0,
        segments=segments,
        speakers=speakers,
        models={"asr": {"name": "text", "note": "typed interview, synthetic word timings"}},
        settings={},
        settings_key="",
        timings={},
    )
    return transcript, gold


def _header(text: str, key: str, default: str | None = None) -> str | None:
    m = re.search(rf"^#\s*{key}:[ \t]*(\S[^\n]*?)[ \t]*$", text, re.MULTILINE)
    return m.group(1) if m else default


SPLITS = ("dev", "heldout", "test")


def load_dev_interview(path: str | Path) -> DevInterview:
    """One labelled file: ``# language: xx`` (or an ``xx_`` file-name prefix, as in
    ``bench/corpus/interviews/nl_moving_house_03.txt``), ``# split: dev|heldout|test``,
    optional ``# journey:`` / ``# style:``, then marked ``I:``/``R:`` lines."""
    path = Path(path)
    text = path.read_text("utf-8")
    prefix = re.match(r"^([a-z]{2})_", path.name)
    language = _header(text, "language") or (prefix.group(1) if prefix else None)
    if not language:
        raise ValueError(f"{path}: missing '# language: xx' header")
    split = _header(text, "split", "dev") or "dev"
    if split not in SPLITS:
        raise ValueError(f"{path}: split {split!r} is not one of {', '.join(SPLITS)}")
    transcript, gold = transcript_from_text(text, language, path.stem, marked=True)
    return DevInterview(
        path.stem,
        language,
        split,
        transcript,
        gold,
        journey=_header(text, "journey"),
        style=_header(text, "style"),
    )


def load_devset(folder: str | Path) -> list[DevInterview]:
    return [load_dev_interview(p) for p in sorted(Path(folder).glob("*.txt"))]
