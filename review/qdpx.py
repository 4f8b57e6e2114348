"""REFI-QDA project export (``.qdpx``) for QualCoder, ATLAS.ti, MAXQDA and NVivo.

A ``.qdpx`` is a zip holding ``project.qde`` (XML in the ``urn:QDA-XML:project:1.0``
namespace, REFI-QDA Project.xsd) and a ``Sources/`` folder. What journeytape puts in it:

- **Codebook**: one code per label (CHANNEL, EMOTION, ...). Labels with a closed set of values
  get a sub-code per value: CHANNEL and TOUCHPOINT per checklist item (named as the guide names
  it), EMOTION per emotion (``frustration``, ``joy``). Free-text values (a GOAL phrase, a SCORE
  number, an EXPECTATION) are coded with their label and written in the coding's description:
  a code per phrase would bury the codebook.
- **Users**: the auto-tagger and every reviewer; a coding's ``creatingUser`` says who stands
  behind it (the reviewer who accepted, edited or added it, or the auto-tagger if pending).
- With its recording (the default): an **AudioSource** per interview holding its
  ``Transcript`` (plain UTF-8 text, one paragraph per speaker turn, ``[m:ss] Speaker: ...``)
  with a ``SyncPoint`` at the start and end of every segment and a ``TranscriptSelection`` +
  ``Coding`` per tag. The transcript is not also written as a text source: importers list the
  audio's transcript as a document of its own, so it would appear twice.
- Without recording (``include_audio=False`` or no audio found): a **TextSource** per
  interview, the same text with a ``PlainTextSelection`` + ``Coding`` per tag.
  Positions count Unicode characters, as the standard asks.
- Source names are flat and unique (``site_a/interview_en`` → ``site_a_interview_en``; two
  recordings both called ``interview.wav`` get distinct names): importers write each source
  to a file of that name in one folder.
- **Variables** language, duration and review status, as values on each text source.

GUIDs are derived from the content (uuid5), so exporting twice gives the same ids.
The XML is validated against the schema shipped in ``data/refi-qda-project-1.0.xsd`` (MIT,
REFI) when lxml is installed; an invalid project is never written.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from journeytape import __version__
from journeytape.annotate.annotations import LABELS
from journeytape.files import atomic_write_bytes
from journeytape.presentation import LABEL_COLORS, clock

from .exports import score, selected_tags
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
            ) + f"[{clock(seg.start)}] {view.speaker_label(seg.speaker)}: "
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


#: labels whose values form a closed set, so each value can be a code of its own
CODED_VALUES = ("CHANNEL", "TOUCHPOINT", "EMOTION")


def code_value(view: InterviewView, t) -> tuple[str, str] | None:
    """(value key, code name) of a tag's sub-code, or None to code it with its label only."""
    if t.label in ("CHANNEL", "TOUCHPOINT") and t.value:
        return t.value, view.value_label(t)
    if t.label == "EMOTION":
        emotion = t.attrs.get("emotion") if isinstance(t.attrs.get("emotion"), str) else None
        key = emotion or t.value
        if key and t.attrs.get("negated") is True:
            key = f"not {key}"  # "not really happy" is no instance of joy
        return (key, key) if key else None
    return None


def source_names(names: list[str]) -> dict[str, str]:
    """Flat source names: importers store each source as a file of that name in one folder,
    so ``site_a/interview_en`` must not name a sub-folder."""
    return {
        n: re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", n).strip(" ._") or "interview" for n in names
    }


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)`` … when a source of that name exists (importers reject
    duplicate source names, e.g. two recordings both called ``interview.wav``)."""
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    out, k = name, 2
    while out.casefold() in taken:
        out = f"{stem} ({k}){dot}{ext}" if dot else f"{name} ({k})"
        k += 1
    taken.add(out.casefold())
    return out


@dataclass
class _Sel:
    tag_id: str
    start: int
    end: int
    t0: float
    t1: float
    who: str
    when: str
    description: str
    code: str


def _codings(view: InterviewView, st: SourceText, include_pending, user_guid, auto, code_guid):
    """One selection per selected tag: character span in ``st.text``, coder and code."""
    by_seg = {s.id: s for s in view.segments}
    for t in selected_tags(view, include_pending):
        seg = by_seg.get(t.segment_id)
        if seg is None:
            continue
        base = st.offsets[seg.id]
        start = base + seg.map_char(t.start_char)
        end = base + seg.map_char(t.end_char, end=True)
        if end <= start:
            continue
        who = user_guid.get(t.who or "", auto) if t.status == "accepted" else auto
        bits = [
            f"{t.label}={t.value}" if t.value else t.label,
            f"status {t.status}",
            f"{clock(t.start)}-{clock(t.end)}",
            f"rule {t.rule}",
            f"confidence {t.confidence:.2f}",
        ]
        if (sc := score(t)) is not None:
            bits.append(f"score {sc:g}/10")
        if "polarity" in t.attrs:
            bits.append(f"polarity {t.attrs['polarity']}")
        if t.note:
            bits.append(f"note: {t.note}")
        key = code_value(view, t)
        code = code_guid.get((t.label, key[0] if key else None)) or code_guid[(t.label, None)]
        yield _Sel(t.id, start, end, t.start, t.end, who, _dt(t.at), "; ".join(bits), code)


def _coding(el: ET.Element, name: str, sel: _Sel) -> None:
    _sub(el, "Description").text = sel.description
    coding = _sub(
        el,
        "Coding",
        guid=guid("coding", name, sel.tag_id),
        creatingUser=sel.who,
        creationDateTime=sel.when,
    )
    _sub(coding, "CodeRef", targetGUID=sel.code)


@dataclass
class _Project:
    """What the steps of :func:`build_project` share."""

    root: ET.Element
    created: str
    include_pending: bool
    user_guid: dict[str, str]
    code_guid: dict[tuple[str, str | None], str] = field(default_factory=dict)
    var_guid: dict[str, str] = field(default_factory=dict)
    members: dict[str, bytes | Path] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)

    @property
    def auto(self) -> str:
        return self.user_guid[AUTO_TAGGER]

    def codings(self, v: InterviewView, st: SourceText) -> list[_Sel]:
        return list(
            _codings(v, st, self.include_pending, self.user_guid, self.auto, self.code_guid)
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
    p = _start_project(views, include_pending, project_name)
    _add_codebook(p, views)
    _add_variables(p)
    sources = _sub(p.root, "Sources")
    names = source_names([v.name for v in views])
    for v in views:
        st = source_text(v)
        audio = Path(v.audio_path) if include_audio and v.audio_path else None
        if audio is not None and audio.is_file():
            _audio_source(p, sources, v, st, audio, names[v.name])
        else:
            _text_source(p, sources, v, st, names[v.name])
    _sub(p.root, "Description").text = _description(include_pending, withheld)
    ET.indent(p.root, space=" ")
    xml = ET.tostring(p.root, encoding="utf-8", xml_declaration=True)
    return xml, p.members


def _start_project(views: list[InterviewView], include_pending: bool, name: str) -> _Project:
    """The root element and its users: the auto-tagger and everyone who decided something."""
    people = {AUTO_TAGGER}
    for v in views:
        people.update(t.who for t in selected_tags(v, include_pending) if t.who)
    user_guid = {person: guid("user", person) for person in sorted(people)}
    created = _dt(None)
    root = ET.Element(
        f"{{{NS}}}Project",
        {
            "name": name,
            "origin": f"journeytape {__version__}",
            "creatingUserGUID": user_guid[AUTO_TAGGER],
            "creationDateTime": created,
        },
    )
    users = _sub(root, "Users")
    for person, g in user_guid.items():
        _sub(users, "User", guid=g, name=person)
    return _Project(root, created, include_pending, user_guid)


def _add_codebook(p: _Project, views: list[InterviewView]) -> None:
    """One code per label; sub-codes for the closed value sets seen in the selected tags."""
    values: dict[str, dict[str, str]] = {label: {} for label in LABELS}
    for v in views:
        for t in selected_tags(v, p.include_pending):
            key = code_value(v, t)
            if key is not None:
                values[t.label][key[0]] = key[1]
    names_used: set[str] = set(LABELS)
    codes = _sub(_sub(p.root, "CodeBook"), "Codes")
    for label in LABELS:
        p.code_guid[(label, None)] = guid("code", label)
        c = _sub(codes, "Code", guid=p.code_guid[(label, None)], name=label, isCodable="true",
                 color=LABEL_COLORS[label])  # fmt: skip
        _sub(c, "Description").text = f"journeytape label {label}"
        for value, shown in sorted(values[label].items(), key=lambda kv: kv[1].casefold()):
            # some tools require unique code names across the whole codebook
            name = shown if shown not in names_used else f"{label}: {shown}"
            names_used.add(name)
            p.code_guid[(label, value)] = guid("code", label, value)
            _sub(c, "Code", guid=p.code_guid[(label, value)], name=name, isCodable="true",
                 color=LABEL_COLORS[label])  # fmt: skip


def _add_variables(p: _Project) -> None:
    variables = _sub(p.root, "Variables")
    for name, kind in (("language", "Text"), ("duration_seconds", "Float"), ("review", "Text")):
        p.var_guid[name] = guid("variable", name)
        _sub(variables, "Variable", guid=p.var_guid[name], name=name, typeOfVariable=kind)


def _variable_values(p: _Project, el: ET.Element, v: InterviewView) -> None:
    decided = sum(1 for t in v.tags if t.status != "pending")
    for name, kind, val in (
        ("language", "TextValue", v.language or ""),
        ("duration_seconds", "FloatValue", f"{(v.duration or 0):.3f}"),
        ("review", "TextValue", f"{decided} of {len(v.tags)} tags reviewed"),
    ):
        vv = _sub(el, "VariableValue")
        _sub(vv, "VariableRef", targetGUID=p.var_guid[name])
        _sub(vv, kind).text = val


def _text_source(
    p: _Project, sources: ET.Element, v: InterviewView, st: SourceText, name: str
) -> None:
    """An interview without its recording: a text source with PlainTextSelection codings."""
    text_guid = guid("text", v.name, st.text)
    p.members[f"Sources/{text_guid}.txt"] = st.text.encode("utf-8")
    src = _sub(sources, "TextSource", guid=text_guid, name=_unique(name, p.taken),
               plainTextPath=f"internal://{text_guid}.txt", creatingUser=p.auto,
               creationDateTime=p.created)  # fmt: skip
    _sub(
        src, "Description"
    ).text = (
        f"Interview {v.name}, transcribed and auto-tagged by journeytape; language {v.language}."
    )
    for sel in p.codings(v, st):
        el = _sub(src, "PlainTextSelection", guid=guid("sel", v.name, sel.tag_id),
                  name=st.text[sel.start : sel.end][:60], startPosition=str(sel.start),
                  endPosition=str(sel.end), creatingUser=sel.who,
                  creationDateTime=sel.when)  # fmt: skip
        _coding(el, v.name, sel)
    _variable_values(p, src, v)


def _audio_source(
    p: _Project, sources: ET.Element, v: InterviewView, st: SourceText, audio: Path, name: str
) -> None:
    """An interview with its recording: an audio source whose transcript carries the codings
    (TranscriptSelection between two sync points of its own)."""
    audio_guid = guid("audio", v.name, audio.name)
    suffix = audio.suffix.lower()
    p.members[f"Sources/{audio_guid}{suffix}"] = audio
    audio_name = _unique(name + suffix, p.taken)
    au = _sub(sources, "AudioSource", guid=audio_guid, name=audio_name,
              path=f"internal://{audio_guid}{suffix}", creatingUser=p.auto,
              creationDateTime=p.created)  # fmt: skip
    _sub(au, "Description").text = (
        f"Interview {v.name} (recording {audio.name}), transcribed and auto-tagged by "
        f"journeytape; language {v.language}."
    )
    tr_guid = guid("transcript", v.name, st.text)
    p.members[f"Sources/{tr_guid}.txt"] = st.text.encode("utf-8")
    tr = _sub(au, "Transcript", guid=tr_guid, name=f"{audio_name}.txt",
              plainTextPath=f"internal://{tr_guid}.txt", creatingUser=p.auto,
              creationDateTime=p.created)  # fmt: skip
    sels = p.codings(v, st)
    _sync_points(tr, v, st, sels)
    for sel in sels:
        el = _sub(tr, "TranscriptSelection", guid=guid("sel", v.name, sel.tag_id),
                  name=st.text[sel.start : sel.end][:60],
                  fromSyncPoint=guid("sync", v.name, sel.tag_id, "from"),
                  toSyncPoint=guid("sync", v.name, sel.tag_id, "to"), creatingUser=sel.who,
                  creationDateTime=sel.when)  # fmt: skip
        _coding(el, v.name, sel)
    _variable_values(p, au, v)


def _sync_points(tr: ET.Element, v: InterviewView, st: SourceText, sels: list[_Sel]) -> None:
    """A sync point at every segment's start and end, and two for each selection."""
    for seg_id, a, b, t0, t1 in st.spans:
        for edge, pos, secs in (("start", a, t0), ("end", b, t1)):
            _sub(tr, "SyncPoint", guid=guid("sync", v.name, seg_id, edge),
                 timeStamp=str(round(secs * 1000)), position=str(pos))  # fmt: skip
    for sel in sels:  # a selection runs between two sync points of its own
        for edge, pos, secs in (("from", sel.start, sel.t0), ("to", sel.end, sel.t1)):
            _sub(tr, "SyncPoint", guid=guid("sync", v.name, sel.tag_id, edge),
                 timeStamp=str(round(secs * 1000)), position=str(pos))  # fmt: skip


def _description(include_pending: bool, withheld: list[str]) -> str:
    return (
        "Exported by journeytape from reviewed, auto-tagged interview transcripts. "
        + ("Includes tags not yet reviewed." if include_pending else "Accepted tags only.")
        + (
            f" Left out, as the interviewees did not consent to quotes: {', '.join(withheld)}."
            if withheld
            else ""
        )
    )


def schema_path() -> Path:
    return Path(str(files("journeytape.review").joinpath("data", XSD)))


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
