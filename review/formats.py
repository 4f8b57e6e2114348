"""The one registry of export formats, and the one dispatch: the CLI (``journeytape export``),
the web app (``/export/<format>``) and withdrawal (which re-runs recorded exports) all go
through :func:`export` or :func:`download`; a new format is one ``register(Format(...))``.

The builders are in :mod:`.exports` (spreadsheets, timeline, Markdown), :mod:`.qdpx` and
:mod:`.corrected`. Every export is remembered in ``.journeytape/exports.json`` so a
withdrawal can find it even outside the workspace folder.
"""

from __future__ import annotations

import io
import json
import mimetypes
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeytape.files import atomic_write_bytes, atomic_write_json

from .exports import excerpts_csv, excerpts_xlsx, load_views, markdown, timeline_csv, timeline_json
from .store import WORKSPACE_DIR, InterviewView, Workspace, WorkspaceError


@dataclass(frozen=True)
class Options:
    include_pending: bool = True
    include_audio: bool = True


#: what a format builds: [(member, content)]; content is bytes or a file to copy
Members = list[tuple[str, "bytes | Path"]]


@dataclass(frozen=True)
class Format:
    """One export format.

    ``layout`` says where the members go: ``file`` — the one member is written to the output
    path; ``family`` — members are suffixes of the output path (``timeline`` → ``.csv`` and
    ``.json``); ``folder`` — the output is a folder and members are paths inside it (one
    corrected transcript per interview, sub-folders kept).
    """

    name: str
    default_name: str
    mime: str
    help: str
    build: Any  # (ws, views, Options) -> Members
    layout: str = "file"


REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    REGISTRY[fmt.name] = fmt
    return fmt


def _one(name: str, fn) -> Any:
    return lambda ws, views, o: [(name, fn(views, o.include_pending))]


def _qdpx(ws, views, o: Options) -> Members:
    from .qdpx import qdpx_bytes

    return [
        (
            "journeytape.qdpx",
            qdpx_bytes(views, include_pending=o.include_pending, include_audio=o.include_audio),
        )
    ]


def _timeline_json_bytes(views, include_pending=True) -> bytes:
    data = json.dumps(timeline_json(views, include_pending), ensure_ascii=False, indent=2)
    return (data + "\n").encode("utf-8")


def _corrected(kinds: tuple[str, ...]):
    """Corrected transcripts, one file per interview and kind (see corrected.py). Interviews
    whose consent excludes quotes are left out: the transcript would quote everything."""

    def build(ws, views, o: Options) -> Members:
        from . import corrected

        out: Members = []
        for v in views:
            if v.quotes_withheld:
                continue
            for k in kinds:
                out.append((v.name + corrected.SUFFIXES[k], corrected.render(ws, v, k)))
        if not out and views:
            raise WorkspaceError(
                "no transcript to export: the interviewees did not consent to quotes"
            )
        return out

    return build


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
for _f in (
    Format("csv", "excerpts.csv", "text/csv", "tagged excerpts (quote, label, value, "
           "interview, speaker, start/end)", _one("excerpts.csv", lambda v, p: excerpts_csv(v, p))),
    Format("xlsx", "excerpts.xlsx", _XLSX, "the same plus timeline and coverage sheets",
           _one("excerpts.xlsx", lambda v, p: excerpts_xlsx(v, p))),
    Format("qdpx", "journeytape.qdpx", "application/zip", "REFI-QDA project for QualCoder, "
           "ATLAS.ti, MAXQDA, NVivo", _qdpx),
    Format("timeline", "timeline", "application/zip", "touchpoints in order with emotion "
           "valence and scores (.csv and .json)",
           lambda ws, v, o: [(".csv", timeline_csv(v, o.include_pending)),
                             (".json", _timeline_json_bytes(v, o.include_pending))],
           layout="family"),
    Format("timeline.csv", "timeline.csv", "text/csv", "the timeline as CSV only",
           _one("timeline.csv", lambda v, p: timeline_csv(v, p))),
    Format("timeline.json", "timeline.json", "application/json", "the timeline as JSON only",
           _one("timeline.json", _timeline_json_bytes)),
    Format("md", "report.md", "text/markdown", "Markdown report",
           _one("report.md", lambda v, p: markdown(v, p).encode("utf-8"))),
    Format("corrected", "transcripts", "application/zip", "corrected transcripts (word fixes "
           "and speaker names applied) as .txt, .md, .srt, .vtt, .docx and transcript JSON, "
           "one set per interview", _corrected(("txt", "md", "srt", "vtt", "docx", "json")),
           layout="folder"),
    *(
        Format(f"transcript.{k}", "transcripts", mime, f"corrected transcripts as .{k} only",
               _corrected((k,)), layout="folder")
        for k, mime in (("txt", "text/plain"), ("md", "text/markdown"),
                        ("srt", "application/x-subrip"), ("vtt", "text/vtt"), ("docx", _DOCX),
                        ("json", "application/json"))
    ),
):  # fmt: skip
    register(_f)

FORMATS = tuple(REGISTRY)


def get_format(name: str) -> Format:
    if name not in REGISTRY:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {name!r})")
    return REGISTRY[name]


def build(ws: Workspace, fmt: str, views: list[InterviewView], opts: Options) -> Members:
    return get_format(fmt).build(ws, views, opts)


def targets(fmt: str, out: Path, members: Members) -> list[tuple[Path, bytes | Path]]:
    """Where each member of ``fmt`` goes for the output path ``out``."""
    f = get_format(fmt)
    if f.layout == "file":
        return [(out, members[0][1])]
    if f.layout == "family":
        suffixes = {m for m, _ in members}
        base = out.with_suffix("") if out.suffix in suffixes else out
        return [(base.with_name(base.name + m), c) for m, c in members]
    return [(out / m, c) for m, c in members]


def export(
    ws: Workspace,
    fmt: str,
    out: str | Path,
    *,
    names: list[str] | None = None,
    include_pending: bool = True,
    include_audio: bool = True,
) -> list[Path]:
    """Write one export; return the files written (some formats write several)."""
    get_format(fmt)
    views = load_views(ws, names)
    out = Path(out).resolve()
    members = build(ws, fmt, views, Options(include_pending, include_audio))
    written = []
    for path, content in targets(fmt, out, members):
        data = content.read_bytes() if isinstance(content, Path) else content
        written.append(atomic_write_bytes(path, data))
    record_export(
        ws,
        {
            "path": str(out),
            "format": fmt,
            "names": names,
            "include_pending": include_pending,
            "include_audio": include_audio,
            "interviews": [v.name for v in views],
            "files": [str(p) for p in written],
        },
    )
    return written


def download(ws: Workspace, fmt: str, names: list[str] | None, opts: Options):
    """(file name, mime type, bytes) for the web app: one member as itself, several as a zip
    (named as the CLI would name the files)."""
    f = get_format(fmt)
    members = build(ws, fmt, load_views(ws, names), opts)
    if len(members) == 1 and f.layout != "family":
        name, content = members[0]
        data = content.read_bytes() if isinstance(content, Path) else content
        mime = f.mime if f.layout == "file" else (mimetypes_guess(name) or f.mime)
        return Path(name).name.replace("/", "_"), mime, data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members:
            member = f.default_name + name if f.layout == "family" else name
            if isinstance(content, Path):
                z.write(content, member)
            else:
                z.writestr(member, content)
    return f"{f.default_name}.zip", "application/zip", buf.getvalue()


def mimetypes_guess(name: str) -> str | None:

    if name.endswith(".docx"):
        return _DOCX
    if name.endswith((".srt", ".vtt", ".md")):
        return "text/plain"
    return mimetypes.guess_type(name)[0]


# -- which exports hold which interviews: read by withdrawal (review/erase.py) --------
MANIFEST = "exports.json"


def _manifest_path(root: Path) -> Path:
    return Path(root) / WORKSPACE_DIR / MANIFEST


def read_manifest(root: Path) -> list[dict[str, Any]]:
    """The exports written from the workspace in ``root`` (one entry per output path)."""
    try:
        d = json.loads(_manifest_path(root).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in d.get("exports", []) if isinstance(e, dict) and "path" in e]


def _save_manifest(root: Path, entries: list[dict[str, Any]]) -> None:
    atomic_write_json(_manifest_path(root), {"kind": "journeytape-exports", "exports": entries})


def record_export(ws: Workspace, entry: dict[str, Any]) -> None:
    """Remember an export so a withdrawal can find it even outside the workspace folder."""
    entries = [e for e in read_manifest(ws.folder) if e["path"] != entry["path"]]
    _save_manifest(ws.folder, [*entries, entry])


def forget_export(root: Path, path: str) -> None:
    _save_manifest(root, [e for e in read_manifest(root) if e["path"] != path])


def default_name(fmt: str) -> str:
    return get_format(fmt).default_name


def output_path(fmt: str, out: Path | None, folder: Path, n_formats: int) -> Path:
    """Where ``journeytape export`` writes ``fmt``: ``out`` itself when it names one file (or
    a folder, for per-interview formats) for a single format, else the format's default
    name inside ``out`` (default ``FOLDER/exports/``)."""
    layout = get_format(fmt).layout
    if out is not None and n_formats == 1 and (out.suffix or layout == "folder"):
        return out
    return (out or folder / "exports") / default_name(fmt)
