"""Which recordings a batch transcribes, under which output names, and which are done already.

1. :func:`collect` walks the given files and folders (recursively; hidden names and the
   recorder's ``*.part`` files are skipped, unknown extensions are noted) and decides each
   recording's output base name, never letting two recordings share one.
2. :func:`plan` hashes every recording and skips those whose transcript already carries the
   same audio sha256 and settings key (``--force`` redoes them); a skipped recording whose
   readable outputs went missing gets them rewritten from its transcript.

Running the rest is :mod:`journeytape.transcribe.batch`'s (or the cluster's) work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from journeytape.files import sha256_file
from journeytape.transcribe.audio import is_audio_name
from journeytape.transcribe.transcript import KIND, SUFFIX, TranscriptError, load_transcript
from journeytape.transcribe.writers import output_paths, write_outputs

#: files we write ourselves (or the recorder writes) beside recordings: skipped silently
_OWN_SUFFIXES = (SUFFIX, ".annotations.json", ".json", ".txt", ".md", ".srt", ".vtt", ".rttm")

DONE, SKIPPED, FAILED, IGNORED, INTERRUPTED, PENDING = (
    "done",
    "skipped",
    "failed",
    "ignored",
    "interrupted",
    "not started",
)


@dataclass
class Job:
    """One recording the batch considers, and where its outputs go."""

    source: Path
    #: output path without suffix (``out/sub/name``)
    base: Path
    sha256: str | None = None
    duration: float | None = None
    #: warnings about this file's output name (shown in the summary)
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to one file: one line of the summary (and of the log)."""

    source: Path
    status: str
    note: str = ""
    base: Path | None = None
    duration: float | None = None
    language: str | None = None
    seconds: float | None = None
    warnings: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)

    @property
    def speed(self) -> float | None:
        """Times real time (audio seconds per processing second)."""
        if self.duration and self.seconds:
            return self.duration / self.seconds
        return None


# -- 1. collect ----------------------------------------------------------------------------


def _hidden(name: str) -> bool:
    return name.startswith(".")


def consent_refusal(src: Path) -> str | None:
    """Why a recorder session's recording must not be transcribed, or None if it may be.

    A session folder carries the interviewee's consent.json; a recording without one (copied
    from a phone) is the researcher's responsibility and is transcribed.
    """
    from journeytape.consent import allowed

    try:
        ok = allowed(src.parent, "transcription")
    except (OSError, ValueError) as exc:
        return f"consent.json beside it cannot be read ({exc}); not transcribed"
    if ok is False:
        return "consent does not cover transcription, or was withdrawn (consent.json)"
    return None


def collect(
    paths: Iterable[str | Path], out: Path | None = None
) -> tuple[list[Job], list[Outcome]]:
    """Recordings to consider (with output bases) and outcomes for files passed over."""
    found: list[tuple[Path, Path]] = []  # (source, output folder)
    passed: list[Outcome] = []
    out_resolved = out.resolve() if out else None
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            root = p
            for dirpath, dirnames, filenames in os.walk(p):
                here = Path(dirpath)
                dirnames[:] = sorted(
                    d
                    for d in dirnames
                    if not _hidden(d)
                    and (out_resolved is None or (here / d).resolve() != out_resolved)
                )
                for name in sorted(filenames):
                    src = here / name
                    if _hidden(name) or name.endswith(".part"):
                        continue
                    if name.lower().endswith(_OWN_SUFFIXES):
                        continue
                    if not is_audio_name(name):
                        passed.append(
                            Outcome(
                                src, IGNORED, f"not a recording ({src.suffix or 'no extension'})"
                            )
                        )
                        continue
                    if why := consent_refusal(src):
                        passed.append(Outcome(src, IGNORED, why))
                        continue
                    rel = src.parent.relative_to(root)
                    found.append((src, (out / rel) if out else src.parent))
        elif p.exists() or p.is_symlink():
            # named explicitly: try it whatever its extension (decode explains failures)
            if why := consent_refusal(p):
                passed.append(Outcome(p, IGNORED, why))
                continue
            found.append((p, out if out else p.parent))
        else:
            passed.append(Outcome(p, FAILED, "file or folder not found"))
    return _assign_bases(found, passed), passed


def output_stem(src: Path) -> str:
    """The output name of a recording: a recorder session's audio (always ``recording.wav``)
    is named by its folder, e.g. ``2026-11-30_P01``, so sessions transcribed into one
    ``--out`` never share a name; any other file by its own name without the extension."""
    folder = src.parent
    if (folder / "session.json").is_file() or (folder / "consent.json").is_file():
        return folder.name
    return src.stem


def _assign_bases(found: list[tuple[Path, Path]], passed: list[Outcome]) -> list[Job]:
    """``name.m4a`` → ``name``; when two recordings would share outputs, keep extensions,
    and when even that is taken, number them (``name-2``) and say so: never overwrite."""
    seen: set[Path] = set()
    unique: list[tuple[Path, Path]] = []
    for src, folder in found:
        key = src.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((src, folder))
    by_base: dict[Path, int] = {}
    for src, folder in unique:
        b = (folder / output_stem(src)).resolve()
        by_base[b] = by_base.get(b, 0) + 1
    jobs: list[Job] = []
    taken: dict[Path, Path] = {}
    for src, folder in unique:
        base = folder / output_stem(src)
        if by_base[base.resolve()] > 1 and output_stem(src) == src.stem:
            base = folder / src.name
        first = base
        n = 1
        while base.resolve() in taken:
            n += 1
            base = first.with_name(f"{first.name}-{n}")
        job = Job(src, base)
        if base != first:
            job.notes.append(
                f"written as {base.name}.*: {first.name}.* belongs to {taken[first.resolve()]}"
            )
        taken[base.resolve()] = src
        jobs.append(job)
    return jobs


def _owner(job: Job, base: Path) -> str | None:
    """Whose transcript ``base`` holds: None (free), "ours" (this recording or this very
    file re-recorded) or "other"."""
    tj = output_paths(base, ["json"])["json"]
    if not tj.exists():
        return None
    try:
        rec = json.loads(tj.read_text("utf-8")).get("recording") or {}
    except (OSError, ValueError, AttributeError):
        return "other"  # unreadable: not ours to replace
    if rec.get("path") and Path(rec["path"]) == job.source.resolve():
        return "ours"
    if job.sha256 is None:
        job.sha256 = sha256_file(job.source)
    return "ours" if rec.get("sha256") == job.sha256 else "other"


def claim_base(job: Job, claimed: set[Path]) -> None:
    """Move ``job`` to ``base-2``, ``-3``… while its outputs would replace a transcript of a
    *different* recording (another sha256 from another file) or one claimed earlier in this
    batch: keep both, and warn. The same recording, or the same file re-recorded, keeps its
    name (that is how re-runs skip or redo it), also the ``recording.*`` name a session got
    before sessions were named by their folder (no second copy of the same interview)."""
    first = job.base
    legacy = first.with_name(job.source.stem)
    if (
        legacy != first
        and legacy.resolve() not in claimed
        and _owner(job, first) is None
        and _owner(job, legacy) == "ours"
    ):
        job.base = legacy
        claimed.add(legacy.resolve())
        return
    for n in range(1, 10_000):
        cand = first if n == 1 else first.with_name(f"{first.name}-{n}")
        if cand.resolve() not in claimed and _owner(job, cand) != "other":
            break
    if cand != job.base:
        job.notes.append(
            f"written as {cand.name}.*: {job.base.name}.* already holds the transcript of "
            "a different recording (kept)"
        )
        job.base = cand
    claimed.add(job.base.resolve())


# -- 2. plan -------------------------------------------------------------------------------


def up_to_date(job: Job, key: str, formats: Iterable[str]) -> str | None:
    """Why ``job`` needs no work ("up to date"), or None. Hashes the source as a side effect."""
    paths = output_paths(job.base, ["json", *formats])
    tj = paths["json"]
    if not tj.is_file():
        return None
    try:
        d = json.loads(tj.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(d, dict) or d.get("kind") != KIND or d.get("settings_key") != key:
        return None
    if job.sha256 is None:
        job.sha256 = sha256_file(job.source)
    if (d.get("recording") or {}).get("sha256") != job.sha256:
        return None
    return "up to date"


def missing_outputs(job: Job, formats: Iterable[str]) -> list[str]:
    paths = output_paths(job.base, formats)
    return [f for f, p in paths.items() if f not in ("json", "rttm") and not p.is_file()]


def plan(
    jobs: list[Job], key: str, formats: list[str], force: bool
) -> tuple[list[Job], list[Outcome]]:
    """The jobs that need transcribing, and outcomes for the others (skipped, unreadable).

    ``key`` is the settings key a transcript made now would get; ``force`` redoes everything.
    """
    todo: list[Job] = []
    outcomes: list[Outcome] = []
    claimed: set[Path] = set()
    for job in jobs:
        outcome = _plan_one(job, key, formats, force, claimed)
        if outcome is None:
            todo.append(job)
        else:
            outcomes.append(outcome)
    return todo, outcomes


def _plan_one(
    job: Job, key: str, formats: list[str], force: bool, claimed: set[Path]
) -> Outcome | None:
    """None when ``job`` needs transcribing, else its outcome."""
    try:
        claim_base(job, claimed)
        why = None if force else up_to_date(job, key, formats)
    except OSError as exc:
        return Outcome(job.source, FAILED, f"cannot read the file: {exc.strerror}")
    if why is None:
        return None
    missing = missing_outputs(job, formats)
    if not missing:
        return Outcome(job.source, SKIPPED, why, job.base, warnings=list(job.notes))
    return _write_missing(job, formats, missing)


def _write_missing(job: Job, formats: list[str], missing: list[str]) -> Outcome | None:
    """Rewrite an up-to-date transcript's missing readable outputs from it; None when the
    transcript cannot be read after all (then the recording is transcribed again)."""
    try:
        t = load_transcript(output_paths(job.base, ["json"])["json"])
        written = write_outputs(t, job.base, formats)
    except (TranscriptError, OSError):
        return None
    return Outcome(
        job.source,
        SKIPPED,
        f"up to date; wrote missing {', '.join(missing)}",
        job.base,
        t.recording.duration,
        t.language,
        outputs=written,
    )
