"""REFI-QDA project export (``.qdpx``) for QualCoder, ATLAS.ti, MAXQDA and NVivo.

A ``.qdpx`` is a zip holding ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0``
namespace, REFI-QDA Project.xsd) and a ``Sources/`` folder. What journeytape puts in it:

- **Codebook**: one code per label (CHANNEL, EMOTION, ...) with one sub-code per normalised
  value (``service_desk``, ``frustration``, ...); a tag without value is coded with its label.
- **Users**: the auto-tagger and every reviewer; a coding's ``creatingUser`` says who stands
  behind it (the reviewer who accepted, edited or added it, or the auto-tagger if pending).
- **TextSource** per interview: the transcript as plain UTF-8 text (one paragraph per speaker
  turn, ``[m:ss] Speaker: ...``) with a ``PlainTextSelection`` + ``Coding`` per tag.
  Positions count Unicode characters, as the standard asks. Every tool imports this part.
- **AudioSource** per interview (unless ``include_audio=False``): the recording, and its
  ``Transcript`` (the same text) with a ``SyncPoint`` at the start and end of every segment,
  so tools that support synchronised transcripts can jump from text to audio.
- **Variables** language, duration and review status, as values on each text source.

GUIDs are derived from the content (uuid5), so exporting twice gives the same ids.
The XML is validated against the schema shipped in ``data/refi-qda-project-1.0.xsd`` (MIT,
REFI) when lxml is installed; an invalid project is never written.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from journeytape import __version__
from journeytape.annotate.annotations import LABELS
from journeytape.files import atomic_write_bytes

from .exports import LABEL_COLORS, score, selected_tags
from .store import InterviewView, Workspace

NS = "urn:QDA-XML:project:1.0"
XSD = "refi-qda-project-1.0.xsd"
AUTO_TAGGER = "journeytape auto-tagger"
_ROOT = uuid.UUID("6a1f3c55-9d0e-4c1b-8f0a-7e2b9c4d5e60")


class QdpxError(ValueError):
    """The project XML does not validate against the REFI-QDA schema."""


def guid(*parts: object) -> str:
    return str(uuid.uuid5(_ROOT, "|".join(str(p) for p in parts)))


def _dt(iso: str | None) -> str:
    """xsd:dateTime in UTC with a Z (the annotator and decisions already use ISO 8601)."""
    if not iso:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        d = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ts(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


@dataclass
class SourceText:
    text: str
    #: segment id -> offset of the segment's (displayed) text within ``text``
    offsets: dict[int, int]
    #: (segment id, start offset, end offset, start seconds, end seconds)
    spans: list[tuple[int, int, int, float, float]]


def source_text(view: InterviewView) -> SourceText:
    """The transcript as one plain text: a paragraph per speaker turn."""
    parts: list[str] = []
    pos = 0
    offsets: dict[int, int] = {}
    spans = []
    prev: object = object()
    for seg in view.segments:
        text = seg.text.strip()
        lead = len(seg.text) - len(seg.text.lstrip())
        if seg.speaker != prev:
            head = (
                "\n\n" if parts else ""
            ) + f"[{_ts(seg.start)}] {view.speaker_label(seg.speaker)}: "
            prev = seg.speaker
        else:
            head = " "
        parts.append(head)
        pos += len(head)
        offsets[seg.id] = pos - lead  # displayed offsets are into seg.text incl. leading space
        spans.append((seg.id, pos, pos + len(text), seg.start, seg.end))
        parts.append(text)
        pos += len(text)
    return SourceText("".join(parts) + "\n", offsets, spans)


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(
        parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None}
    )


def build_project(
    views: list[InterviewView],
    *,
    include_pending: bool = True,
    include_audio: bool = True,
    project_name: str = "journeytape interviews",
) -> tuple[bytes, dict[str, bytes | Path]]:
    """Return (project.qde bytes, {zip member name: bytes or file path}).

    Interviews whose consent excludes quotes are left out (their text source would be the
    whole transcript); the project description names them."""
    withheld = [v.name for v in views if v.quotes_withheld]
    views = [v for v in views if not v.quotes_withheld]
    ET.register_namespace("", NS)
    created = _dt(None)
    members: dict[str, bytes | Path] = {}

    # users: the auto-tagger and everyone who decided something
    people = {AUTO_TAGGER}
    for v in views:
        for t in selected_tags(v, include_pending):
            if t.who:
                people.add(t.who)
    user_guid = {p: guid("user", p) for p in sorted(people)}

    root = ET.Element(
        f"{{{NS}}}Project",
        {
            "name": project_name,
            "origin": f"journeytape {__version__}",
            "creatingUserGUID": user_guid[AUTO_TAGGER],
            "creationDateTime": created,
        },
    )
    users = _sub(root, "Users")
    for p, g in user_guid.items():
        _sub(users, "User", guid=g, name=p)

    # codebook: label -> values seen in the selected tags
    values: dict[str, set[str]] = {label: set() for label in LABELS}
    for v in views:
        for t in selected_tags(v, include_pending):
            if t.value:
                values[t.label].add(t.value)
    code_guid: dict[tuple[str, str | None], str] = {}
    names_used: set[str] = set(LABELS)
    codes = _sub(_sub(root, "CodeBook"), "Codes")
    for label in LABELS:
        code_guid[(label, None)] = guid("code", label)
        c = _sub(
            codes,
            "Code",
            guid=code_guid[(label, None)],
            name=label,
            isCodable="true",
            color=LABEL_COLORS[label],
        )
        _sub(c, "Description").text = f"journeytape label {label}"
        for value in sorted(values[label]):
            # some tools require unique code names across the whole codebook
            name = value if value not in names_used else f"{label}: {value}"
            names_used.add(name)
            code_guid[(label, value)] = guid("code", label, value)
            _sub(
                c,
                "Code",
                guid=code_guid[(label, value)],
                name=name,
                isCodable="true",
                color=LABEL_COLORS[label],
            )

    variables = _sub(root, "Variables")
    var_guid = {}
    for name, kind in (("language", "Text"), ("duration_seconds", "Float"), ("review", "Text")):
        var_guid[name] = guid("variable", name)
        _sub(variables, "Variable", guid=var_guid[name], name=name, typeOfVariable=kind)

    sources = _sub(root, "Sources")
    auto = user_guid[AUTO_TAGGER]
    for v in views:
        st = source_text(v)
        text_guid = guid("text", v.name, st.text)
        members[f"Sources/{text_guid}.txt"] = st.text.encode("utf-8")
        ts = _sub(
            sources,
            "TextSource",
            guid=text_guid,
            name=v.name,
            plainTextPath=f"internal://{text_guid}.txt",
            creatingUser=auto,
            creationDateTime=created,
        )
        _sub(ts, "Description").text = (
            f"Interview {v.name}, transcribed and auto-tagged by journeytape; "
            f"language {v.language}."
        )
        by_seg = {s.id: s for s in v.segments}
        for t in selected_tags(v, include_pending):
            seg = by_seg.get(t.segment_id)
            if seg is None:
                continue
            base = st.offsets[seg.id]
            start = base + seg.map_char(t.start_char)
            end = base + seg.map_char(t.end_char, end=True)
            if end <= start:
                continue
            who = user_guid.get(t.who or "", auto) if t.status == "accepted" else auto
            when = _dt(t.at)
            sel = _sub(
                ts,
                "PlainTextSelection",
                guid=guid("sel", v.name, t.id),
                name=st.text[start:end][:60],
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=who,
                creationDateTime=when,
            )
            bits = [
                f"{t.label}={t.value}" if t.value else t.label,
                f"status {t.status}",
                f"{_ts(t.start)}-{_ts(t.end)}",
                f"rule {t.rule}",
                f"confidence {t.confidence:.2f}",
            ]
            if (sc := score(t)) is not None:
                bits.append(f"score {sc:g}/10")
            if "polarity" in t.attrs:
                bits.append(f"polarity {t.attrs['polarity']}")
            if t.note:
                bits.append(f"note: {t.note}")
            _sub(sel, "Description").text = "; ".join(bits)
            coding = _sub(
                sel,
                "Coding",
                guid=guid("coding", v.name, t.id),
                creatingUser=who,
                creationDateTime=when,
            )
            _sub(
                coding,
                "CodeRef",
                targetGUID=code_guid[(t.label, t.value)]
                if (t.label, t.value) in code_guid
                else code_guid[(t.label, None)],
            )
        decided = sum(1 for t in v.tags if t.status != "pending")
        for name, el, val in (
            ("language", "TextValue", v.language or ""),
            ("duration_seconds", "FloatValue", f"{(v.duration or 0):.3f}"),
            ("review", "TextValue", f"{decided} of {len(v.tags)} tags reviewed"),
        ):
            vv = _sub(ts, "VariableValue")
            _sub(vv, "VariableRef", targetGUID=var_guid[name])
            _sub(vv, el).text = val

        if include_audio and v.audio_path and Path(v.audio_path).is_file():
            audio = Path(v.audio_path)
            audio_guid = guid("audio", v.name, audio.name)
            members[f"Sources/{audio_guid}{audio.suffix.lower()}"] = audio
            au = _sub(
                sources,
                "AudioSource",
                guid=audio_guid,
                name=audio.name,
                path=f"internal://{audio_guid}{audio.suffix.lower()}",
                creatingUser=auto,
                creationDateTime=created,
            )
            _sub(au, "Description").text = f"Recording of interview {v.name}"
            tr_guid = guid("transcript", v.name, st.text)
            members[f"Sources/{tr_guid}.txt"] = st.text.encode("utf-8")
            tr = _sub(
                au,
                "Transcript",
                guid=tr_guid,
                name=f"{v.name}.txt",
                plainTextPath=f"internal://{tr_guid}.txt",
                creatingUser=auto,
                creationDateTime=created,
            )
            for seg_id, a, b, t0, t1 in st.spans:
                _sub(
                    tr,
                    "SyncPoint",
                    guid=guid("sync", v.name, seg_id, "start"),
                    timeStamp=str(round(t0 * 1000)),
                    position=str(a),
                )
                _sub(
                    tr,
                    "SyncPoint",
                    guid=guid("sync", v.name, seg_id, "end"),
                    timeStamp=str(round(t1 * 1000)),
                    position=str(b),
                )

    _sub(root, "Description").text = (
        "Exported by journeytape from reviewed, auto-tagged interview transcripts. "
        + ("Includes tags not yet reviewed." if include_pending else "Accepted tags only.")
        + (
            f" Left out, as the interviewees did not consent to quotes: {', '.join(withheld)}."
            if withheld
            else ""
        )
    )
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml, members


def schema_path() -> Path:
    return Path(str(files("journeytape.annotate.review").joinpath("data", XSD)))


def validate_qde(xml: bytes) -> list[str]:
    """Errors of ``project.qde`` against the REFI-QDA Project schema ([] when valid).

    Raises ImportError when lxml is missing (the caller decides whether that is fatal).
    """
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(schema_path())))
    doc = etree.fromstring(xml)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def qdpx_bytes(views, *, include_pending=True, include_audio=True, validate=True) -> bytes:
    xml, members = build_project(
        views, include_pending=include_pending, include_audio=include_audio
    )
    if validate:
        try:
            errors = validate_qde(xml)
        except ImportError:
            errors = []
        if errors:
            raise QdpxError(
                "project.qde does not match REFI-QDA Project.xsd: " + "; ".join(errors[:5])
            )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, content in members.items():
            if isinstance(content, Path):
                # audio is already compressed: store it
                z.write(content, name, compress_type=zipfile.ZIP_STORED)
            else:
                z.writestr(name, content)
    return buf.getvalue()


def write_qdpx(
    views: list[InterviewView],
    out: str | Path,
    *,
    include_pending: bool = True,
    include_audio: bool = True,
    ws: Workspace | None = None,
) -> Path:
    data = qdpx_bytes(views, include_pending=include_pending, include_audio=include_audio)
    return atomic_write_bytes(out, data)
