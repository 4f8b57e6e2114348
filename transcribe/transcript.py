"""The transcript JSON: journeytape's public contract between transcription and everything after.

One file per recording, ``<name>.transcript.json``. Readers (annotate, review, your own
scripts) load it with :func:`load_transcript`, which checks ``schema_version`` and validates
against ``transcript.schema.json`` shipped beside this module. docs/formats.md documents every
field with an example.

Versioning: ``schema_version`` is ``MAJOR.MINOR``. A reader accepts any MINOR of the MAJOR it
knows (new optional fields only) and refuses another MAJOR with a clear error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from journeytape import contracts
from journeytape.files import atomic_write_json

# 1.1: optional ``turns`` (diarization's who-spoke-when), ``markers`` and ``ticks`` (recorder)
SCHEMA_VERSION = "1.1"
SCHEMA_MAJOR = 1
KIND = "journeytape.transcript"
SUFFIX = ".transcript.json"


class TranscriptError(ValueError):
    """A transcript file that cannot be read: wrong kind, schema version or shape."""


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float
    speaker: str | None = None
    #: True when another speaker talked at the same time (from diarization)
    overlap: bool = False


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    speaker: str | None = None
    words: list[Word] = field(default_factory=list)
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


@dataclass
class Speaker:
    id: str
    #: what people read: "Interviewer", "Respondent", a renamed "Anna", or the id
    label: str
    #: "interviewer" | "respondent" | None (unknown / other)
    role: str | None = None
    #: how the role was decided, e.g. "voice-sample", "questions+first-speaker", "user"
    role_source: str | None = None
    role_confidence: float | None = None
    talk_time: float = 0.0


@dataclass
class SpeakerTurn:
    """One stretch of speech of one speaker, as diarization found it (turns of different
    speakers may overlap). Independent of Whisper: covers speech it did not transcribe."""

    start: float
    end: float
    speaker: str


@dataclass
class Recording:
    path: str
    sha256: str
    duration: float
    sample_rate: int
    channels: int
    size_bytes: int
    format: str | None = None


@dataclass
class Transcript:
    recording: Recording
    language: str
    language_probability: float
    segments: list[Segment]
    speakers: list[Speaker] = field(default_factory=list)
    #: diarization's turns (since schema 1.1; empty without diarization or in older files)
    turns: list[SpeakerTurn] = field(default_factory=list)
    #: {"asr": {...}, "diarization": {...} | None}: names, paths, versions of what ran
    models: dict[str, Any] = field(default_factory=dict)
    #: the settings that change results (also hashed into ``settings_key``)
    settings: dict[str, Any] = field(default_factory=dict)
    settings_key: str = ""
    #: seconds: decode, asr, diarization, total; rtf = total / duration
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    created: str = ""
    journeytape_version: str = ""
    #: (added in 1.1, optional) what the interviewer marked live in ``journeytape record``:
    #: [{"t": seconds, "label": "peak moment"}] in the recording's time
    markers: list[dict[str, Any]] = field(default_factory=list)
    #: (added in 1.1, optional) checklist items ticked live: [{"t", "item", "label", "kind"}]
    ticks: list[dict[str, Any]] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    kind: str = KIND

    # -- conversions -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        # put the identifying keys first: people open these files in editors
        head = {k: d.pop(k) for k in ("kind", "schema_version")}
        return {**head, **d}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        check_version(d)
        validate(d)
        return cls(
            recording=Recording(**d["recording"]),
            language=d["language"],
            language_probability=d["language_probability"],
            segments=[
                Segment(**{**s, "words": [Word(**w) for w in s.get("words", [])]})
                for s in d["segments"]
            ],
            speakers=[Speaker(**s) for s in d.get("speakers", [])],
            turns=[SpeakerTurn(**t) for t in d.get("turns", [])],
            models=d.get("models", {}),
            settings=d.get("settings", {}),
            settings_key=d.get("settings_key", ""),
            timings=d.get("timings", {}),
            warnings=d.get("warnings", []),
            created=d.get("created", ""),
            journeytape_version=d.get("journeytape_version", ""),
            markers=d.get("markers", []),
            ticks=d.get("ticks", []),
            schema_version=d["schema_version"],
        )

    # -- convenience -------------------------------------------------------------------
    def speaker_label(self, speaker_id: str | None) -> str | None:
        """The human label for a speaker id (falls back to the id itself)."""
        if speaker_id is None:
            return None
        for s in self.speakers:
            if s.id == speaker_id:
                return s.label
        return speaker_id

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the transcript file."""
    return contracts.load_schema("journeytape.transcribe", "transcript.schema.json")


def check_version(d: Any) -> None:
    contracts.check_version(
        d,
        kind=KIND,
        major=SCHEMA_MAJOR,
        error=TranscriptError,
        noun="transcript",
        fix="re-run `journeytape transcribe --force` on the recording or use a matching "
        "journeytape version",
    )


def validate(d: dict[str, Any]) -> None:
    """Raise :class:`TranscriptError` naming the first offending field."""
    contracts.validate(d, schema(), error=TranscriptError, noun="transcript")


def load_transcript(path: str | Path) -> Transcript:
    d = contracts.read_json(path, error=TranscriptError)
    try:
        return Transcript.from_dict(d)
    except TranscriptError as exc:
        raise TranscriptError(f"{path}: {exc}") from None


def save_transcript(t: Transcript, path: str | Path) -> Path:
    d = t.to_dict()
    validate(d)
    return atomic_write_json(path, d)
