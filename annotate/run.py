"""The batch runner behind `journeytape annotate`: find transcripts, skip what is current,
annotate the rest, write annotations + reports, then the cross-interview summary.

Resumable like transcription: an existing ``<name>.annotations.json`` whose transcript sha256,
guide sha256 and annotator version (code + rule files) all match is kept, so re-running after
an interruption or after adding interviews only does the new work. ``force`` redoes all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from journeytape.annotate.annotations import SUFFIX, Annotations, AnnotationsError, load_annotations
from journeytape.annotate.pipelines import PipelineError
from journeytape.files import sha256_file
from journeytape.guide import Guide, GuideError
from journeytape.transcribe.transcript import SUFFIX as TRANSCRIPT_SUFFIX
from journeytape.transcribe.transcript import TranscriptError, load_transcript


@dataclass
class Result:
    transcript: Path
    status: str  # "annotated" | "current" | "error"
    annotations_path: Path | None = None
    annotations: Annotations | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return interview_name(self.transcript)


def interview_name(path: Path) -> str:
    n = path.name
    for suffix in (TRANSCRIPT_SUFFIX, ".json"):
        if n.endswith(suffix):
            return n[: -len(suffix)]
    return path.stem


def find_transcripts(paths: list[Path]) -> list[Path]:
    """Files as given; folders searched recursively for ``*.transcript.json``."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(p.rglob(f"*{TRANSCRIPT_SUFFIX}"))
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in found:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique


def output_folder(transcript: Path, out: Path | None, roots: list[Path]) -> Path:
    """Beside the transcript, or under ``out`` mirroring the sub-folders of the input folder."""
    if out is None:
        return transcript.parent
    for root in roots:
        if root.is_dir():
            try:
                rel = transcript.resolve().parent.relative_to(root.resolve())
            except ValueError:
                continue
            return out / rel
    return out


def is_current(
    path: Path, transcript_sha: str, guide_sha: str, version: dict, language: str | None = None
) -> bool:
    if not path.exists():
        return False
    try:
        d = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return (
        d.get("transcript", {}).get("sha256") == transcript_sha
        and d.get("guide", {}).get("sha256") == guide_sha
        and d.get("annotator") == version
        and (language is None or d.get("language") == language)
    )


def annotate_paths(
    paths: list[Path],
    guide: Guide,
    out: Path | None = None,
    force: bool = False,
    emolex: str | dict[str, str] | None = None,
    reports: bool = True,
    on_start: Callable[[Path], None] | None = None,
    language: str | None = None,
) -> Iterator[Result]:
    """Annotate every transcript under ``paths``; yields one :class:`Result` per file."""
    from journeytape.annotate.annotations import save_annotations
    from journeytape.annotate.annotator import Annotator
    from journeytape.annotate.report import write_reports

    annotator = Annotator(guide, emolex=emolex)
    version = annotator.version()
    for t in find_transcripts(paths):
        if on_start:
            on_start(t)
        folder = output_folder(t, out, paths)
        target = folder / f"{interview_name(t)}{SUFFIX}"
        try:
            sha = sha256_file(t)
            if not force and is_current(target, sha, guide.sha256 or "", version, language):
                ann = load_annotations(target)
                if reports and not (folder / f"{interview_name(t)}.report.html").exists():
                    write_reports(ann, interview_name(t), folder)
                yield Result(t, "current", target, ann)
                continue
            transcript = load_transcript(t)
            ann = annotator.annotate(transcript, str(t.resolve()), sha, language=language)
            save_annotations(ann, target)
            if reports:
                write_reports(ann, interview_name(t), folder)
            yield Result(t, "annotated", target, ann)
        except GuideError:
            raise  # a bad pattern in the guide: every file would fail the same way
        except (TranscriptError, AnnotationsError, PipelineError, OSError, ValueError) as exc:
            yield Result(t, "error", error=str(exc))
