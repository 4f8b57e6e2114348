"""Transcribe many recordings: walk folders, skip what is done, survive bad files, summarise.

Three phases, so the progress bar's ETA is honest:

1. :func:`collect` walks the given files and folders (recursively; hidden names and the
   recorder's ``*.part`` files are skipped, unknown extensions are noted) and decides each
   recording's output base name.
2. :func:`plan` hashes every recording and skips those whose transcript already carries the
   same audio sha256 and settings key (``--force`` redoes them).
3. :func:`run` transcribes the rest one by one with one cached model. A bad file becomes one
   line in the summary and the batch goes on; Ctrl-C stops after cleaning up (every output is
   written atomically, so nothing half-written is left behind).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from journeytape.files import sha256_file
from journeytape.transcribe.audio import AudioError, is_audio_name, probe_duration
from journeytape.transcribe.settings import TranscribeSettings
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
    source: Path
    #: output path without suffix (``out/sub/name``)
    base: Path
    sha256: str | None = None
    duration: float | None = None
    #: warnings about this file's output name (shown in the summary)
    notes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
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


# -- 3. run --------------------------------------------------------------------------------


def run(
    paths: Iterable[str | Path],
    settings: TranscribeSettings,
    *,
    out: Path | None = None,
    force: bool = False,
    console=None,
    show_progress: bool = True,
    executor: Executor | None = None,
) -> list[Outcome]:
    """The whole batch. Raises ``ModelError``/``AsrError`` before any work if the model or
    language settings cannot work; ``KeyboardInterrupt`` is turned into outcomes.

    ``executor`` runs the recordings that need work somewhere else (e.g. on a Ray cluster,
    transcribe/cluster.py); collecting, hashing and skipping stay here either way."""
    from rich.console import Console

    from journeytape.transcribe.asr import check_languages, load_model
    from journeytape.transcribe.pipeline import expected_key, transcribe_file

    console = console or Console(stderr=True)
    formats = list(dict.fromkeys(["json", *settings.formats]))
    key = expected_key(settings)  # resolves the model offline: fails fast, before any work
    jobs, outcomes = collect(paths, out)

    todo: list[Job] = []
    claimed: set[Path] = set()
    for job in jobs:
        why = None
        try:
            claim_base(job, claimed)
        except OSError as exc:
            outcomes.append(Outcome(job.source, FAILED, f"cannot read the file: {exc.strerror}"))
            continue
        if not force:
            try:
                why = up_to_date(job, key, formats)
            except OSError as exc:
                outcomes.append(
                    Outcome(job.source, FAILED, f"cannot read the file: {exc.strerror}")
                )
                continue
        if why is None:
            todo.append(job)
            continue
        missing = missing_outputs(job, formats)
        if missing:
            try:
                t = load_transcript(output_paths(job.base, ["json"])["json"])
                written = write_outputs(t, job.base, formats)
                outcomes.append(
                    Outcome(
                        job.source,
                        SKIPPED,
                        f"up to date; wrote missing {', '.join(missing)}",
                        job.base,
                        t.recording.duration,
                        t.language,
                        outputs=written,
                    )
                )
                continue
            except (TranscriptError, OSError):
                todo.append(job)
                continue
        outcomes.append(Outcome(job.source, SKIPPED, why, job.base, warnings=list(job.notes)))

    if not todo:
        return outcomes

    for job in todo:
        job.duration = probe_duration(job.source)
    if executor is not None:
        return outcomes + executor(todo, settings, formats, console, show_progress)
    model = load_model(settings.model, settings.compute_type, settings.threads)
    check_languages(model, settings.language, settings.languages)

    # live bars on a terminal; in a log (not a terminal) one plain line per finished file
    live = show_progress and console.is_terminal
    progress = _make_progress(console, live)
    total_audio = sum(j.duration or 0.0 for j in todo) or None
    finished: list[Outcome] = []
    with progress, _CtrlC() as ctrl_c:
        overall = progress.add_task("files", total=total_audio, detail="")
        current = progress.add_task("", total=1.0, detail="")
        state = {"audio": 0.0, "t0": time.perf_counter()}
        try:
            for i, job in enumerate(todo):
                progress.update(overall, description=f"files {i}/{len(todo)}")
                progress.reset(
                    current, total=job.duration or 1.0, description=_short(job.source), detail=""
                )
                t0 = time.perf_counter()

                def report(stage: str, frac: float, job=job, t0=t0) -> None:
                    ctrl_c.check()
                    dur = job.duration or 0.0
                    label = {"decode": "decoding", "asr": "speech", "diarization": "speakers"}
                    if stage == "asr" and dur:
                        el = time.perf_counter() - t0
                        speed = frac * dur / el if el > 0 else 0.0
                        progress.update(
                            current,
                            completed=frac * dur,
                            detail=f"speech {frac * dur:4.0f}/{dur:.0f} s · {speed:4.1f}x",
                        )
                        progress.update(overall, completed=state["audio"] + frac * dur)
                    else:
                        progress.update(current, detail=f"{label[stage]} {frac:4.0%}")

                try:
                    outcome = _transcribe_one(
                        job, settings, model, formats, report, transcribe_file, ctrl_c.check
                    )
                except KeyboardInterrupt:
                    finished.append(
                        Outcome(job.source, INTERRUPTED, "stopped by Ctrl-C; no transcript written")
                    )
                    raise
                finished.append(outcome)
                if show_progress and not live:
                    console.print(f"[{i + 1}/{len(todo)}] {_log_line(outcome)}", highlight=False)
                state["audio"] += outcome.duration or job.duration or 0.0
                progress.update(
                    overall,
                    completed=state["audio"],
                    description=f"files {i + 1}/{len(todo)}",
                    detail=_speed(state["audio"], time.perf_counter() - state["t0"]),
                )
            progress.update(current, visible=False)
        except KeyboardInterrupt:
            seen = {o.source for o in finished}
            finished.extend(
                Outcome(j.source, PENDING, "", j.base) for j in todo if j.source not in seen
            )
    return outcomes + finished


#: runs ``todo`` elsewhere and returns one outcome per job:
#: ``executor(todo, settings, formats, console, show_progress)``
Executor = Callable[[list[Job], TranscribeSettings, list[str], object, bool], list[Outcome]]


class _CtrlC:
    """Ctrl-C that cannot get lost.

    Python raises KeyboardInterrupt wherever the main thread happens to be; inside a
    finaliser run by the garbage collector (PyAV's resampler, onnxruntime) it is printed and
    swallowed, and inside FFmpeg it can surface as a decoding error. So the handler also
    records the request, and :meth:`check` (called from progress callbacks and before
    outputs are written) raises it again.
    """

    def __enter__(self) -> _CtrlC:
        self.requested = False
        self._old = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def _transcribe_one(job, settings, model, formats, report, transcribe_file, check) -> Outcome:
    """Transcribe and write one recording; every failure becomes a FAILED outcome."""
    t0 = time.perf_counter()
    try:
        t = transcribe_file(job.source, settings, model=model, progress=report, sha256=job.sha256)
    except AudioError as exc:
        check()  # the error may be FFmpeg's view of a Ctrl-C
        return Outcome(job.source, FAILED, str(exc), job.base)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
        check()
        return Outcome(job.source, FAILED, f"unexpected error: {type(exc).__name__}: {exc}")
    check()  # a swallowed Ctrl-C must not let a possibly cut-short result be written
    return finish(job, t, formats, t0)


def finish(job: Job, t, formats: list[str], t0: float) -> Outcome:
    """Write one transcript's outputs (atomically) and say how it went. ``t0`` is when work on
    it began (``time.perf_counter()``). The cluster runner (transcribe/cluster.py) writes
    through here too, so both runs write the same files the same way."""
    try:
        written = write_outputs(t, job.base, formats)
    except OSError as exc:
        return Outcome(job.source, FAILED, f"cannot write outputs: {exc.strerror or exc}")
    return Outcome(
        job.source,
        DONE,
        "",
        job.base,
        t.recording.duration,
        t.language,
        time.perf_counter() - t0,
        [*job.notes, *t.warnings],
        written,
    )


def _log_line(o: Outcome) -> str:
    bits = [o.status]
    if o.status == DONE:
        bits += [_dur(o.duration), o.language or "", f"{o.speed:.1f}x" if o.speed else ""]
    text = f"{o.source}: " + " ".join(b for b in bits if b)
    note = o.note or "; ".join(o.warnings)
    return f"{text} ({note})" if note else text


def _speed(audio: float, seconds: float) -> str:
    return f"{audio / seconds:4.1f}x real time" if seconds > 0 and audio else ""


def _short(p: Path, width: int = 28) -> str:
    s = p.name
    return s if len(s) <= width else "…" + s[-(width - 1) :]


def _make_progress(console, enabled: bool):
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<28}"),
        BarColumn(bar_width=16),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not enabled,
    )


# -- summary -------------------------------------------------------------------------------


def exit_code(outcomes: list[Outcome]) -> int:
    if any(o.status in (INTERRUPTED, PENDING) for o in outcomes):
        return 130
    return 1 if any(o.status == FAILED for o in outcomes) else 0


def summary_table(outcomes: list[Outcome], max_done_rows: int = 50):
    """A rich Table: one line per file (done files folded into a count when there are many)."""
    from rich.table import Table

    table = Table(title="journeytape transcribe", show_lines=False, expand=False)
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("audio", justify="right")
    table.add_column("lang")
    table.add_column("speed", justify="right")
    table.add_column("note", overflow="fold")
    style = {
        DONE: "green",
        SKIPPED: "cyan",
        FAILED: "bold red",
        IGNORED: "dim",
        INTERRUPTED: "yellow",
        PENDING: "yellow",
    }
    done = [o for o in outcomes if o.status == DONE]
    fold = len(done) > max_done_rows
    for o in outcomes:
        if fold and o.status == DONE and not o.warnings:
            continue
        note = o.note or ("; ".join(o.warnings[:2]) + (" …" if len(o.warnings) > 2 else ""))
        table.add_row(
            str(o.source),
            f"[{style.get(o.status, '')}]{o.status}[/]",
            _dur(o.duration),
            o.language or "",
            f"{o.speed:.1f}x" if o.speed else "",
            note,
        )
    if fold:
        table.caption = f"{sum(1 for o in done if not o.warnings)} more done without warnings"
    return table


def counts_line(outcomes: list[Outcome]) -> str:
    order = [DONE, SKIPPED, FAILED, IGNORED, INTERRUPTED, PENDING]
    n = {s: sum(1 for o in outcomes if o.status == s) for s in order}
    return ", ".join(f"{n[s]} {s}" for s in order if n[s]) or "nothing to do"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )
