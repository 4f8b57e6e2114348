"""Transcribe many recordings: walk folders, skip what is done, survive bad files, summarise.

Three phases, so the progress bar's ETA is honest:

1. :func:`~journeytape.transcribe.jobs.collect` walks the given files and folders and decides
   each recording's output base name (transcribe/jobs.py).
2. :func:`~journeytape.transcribe.jobs.plan` hashes every recording and skips those whose
   transcript already carries the same audio sha256 and settings key (``--force`` redoes them).
3. :func:`run` transcribes the rest one by one with one cached model (or hands them to an
   :data:`Executor`, e.g. a Ray cluster). A bad file becomes one line in the summary and the
   batch goes on; Ctrl-C stops after cleaning up (every output is written atomically, so
   nothing half-written is left behind). What the user sees is transcribe/terminal.py's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from journeytape.transcribe.audio import AudioError, probe_duration
from journeytape.transcribe.jobs import (
    DONE,
    FAILED,
    INTERRUPTED,
    PENDING,
    Job,
    Outcome,
    collect,
    plan,
)
from journeytape.transcribe.settings import TranscribeSettings
from journeytape.transcribe.terminal import CtrlC, log_line, make_progress, short, speed
from journeytape.transcribe.writers import write_outputs

#: runs ``todo`` elsewhere and returns one outcome per job:
#: ``executor(todo, settings, formats, console, show_progress)``
Executor = Callable[[list[Job], TranscribeSettings, list[str], Any, bool], list[Outcome]]


def run(
    paths: Iterable[str | Path],
    settings: TranscribeSettings,
    *,
    out: Path | None = None,
    force: bool = False,
    console: Any = None,
    show_progress: bool = True,
    executor: Executor | None = None,
) -> list[Outcome]:
    """The whole batch. Raises ``ModelError``/``AsrError`` before any work if the model or
    language settings cannot work; ``KeyboardInterrupt`` is turned into outcomes.

    ``executor`` runs the recordings that need work somewhere else (e.g. on a Ray cluster,
    transcribe/cluster.py); collecting, hashing and skipping stay here either way."""
    from rich.console import Console

    from journeytape.transcribe.pipeline import expected_key

    console = console or Console(stderr=True)
    formats = list(dict.fromkeys(["json", *settings.formats]))
    key = expected_key(settings)  # resolves the model offline: fails fast, before any work
    jobs, outcomes = collect(paths, out)
    todo, planned = plan(jobs, key, formats, force)
    outcomes += planned
    if not todo:
        return outcomes
    for job in todo:
        job.duration = probe_duration(job.source)
    if executor is not None:
        return outcomes + executor(todo, settings, formats, console, show_progress)
    return outcomes + _LocalRun(todo, settings, formats, console, show_progress).run()


class _LocalRun:
    """The recordings that need work, one after the other in this process, with one model:
    live bars on a terminal, in a log (not a terminal) one plain line per finished file."""

    def __init__(
        self,
        todo: list[Job],
        settings: TranscribeSettings,
        formats: list[str],
        console: Any,
        show_progress: bool,
    ) -> None:
        from journeytape.transcribe.asr import check_languages, load_model

        self.model = load_model(settings.model, settings.compute_type, settings.threads)
        check_languages(self.model, settings.language, settings.languages)
        self.todo, self.settings, self.formats = todo, settings, formats
        self.console, self.show = console, show_progress
        self.live = show_progress and console.is_terminal
        self.progress = make_progress(console, self.live)
        self.audio_done = 0.0

    def run(self) -> list[Outcome]:
        finished: list[Outcome] = []
        total_audio = sum(j.duration or 0.0 for j in self.todo) or None
        with self.progress, CtrlC() as ctrl_c:
            self.overall = self.progress.add_task("files", total=total_audio, detail="")
            self.current = self.progress.add_task("", total=1.0, detail="")
            self.t0 = time.perf_counter()
            try:
                for i, job in enumerate(self.todo):
                    self._one(i, job, ctrl_c, finished)
                self.progress.update(self.current, visible=False)
            except KeyboardInterrupt:
                seen = {o.source for o in finished}
                finished.extend(
                    Outcome(j.source, PENDING, "", j.base)
                    for j in self.todo
                    if j.source not in seen
                )
        return finished

    def _one(self, i: int, job: Job, ctrl_c: CtrlC, finished: list[Outcome]) -> None:
        """Transcribe the ``i``-th recording and show how it went."""
        from journeytape.transcribe.pipeline import transcribe_file

        n = len(self.todo)
        self.progress.update(self.overall, description=f"files {i}/{n}")
        self.progress.reset(
            self.current, total=job.duration or 1.0, description=short(job.source), detail=""
        )
        report = _FileProgress(self, job, ctrl_c)
        try:
            outcome = _transcribe_one(
                job, self.settings, self.model, self.formats, report, transcribe_file, ctrl_c.check
            )
        except KeyboardInterrupt:
            finished.append(
                Outcome(job.source, INTERRUPTED, "stopped by Ctrl-C; no transcript written")
            )
            raise
        finished.append(outcome)
        if self.show and not self.live:
            self.console.print(f"[{i + 1}/{n}] {log_line(outcome)}", highlight=False)
        self.audio_done += outcome.duration or job.duration or 0.0
        self.progress.update(
            self.overall,
            completed=self.audio_done,
            description=f"files {i + 1}/{n}",
            detail=speed(self.audio_done, time.perf_counter() - self.t0),
        )


class _FileProgress:
    """``progress(stage, fraction)`` of one recording: moves the bars, and checks Ctrl-C at
    every call (so a Ctrl-C swallowed somewhere inside a model still stops the file)."""

    LABELS = {"decode": "decoding", "asr": "speech", "diarization": "speakers"}

    def __init__(self, run: _LocalRun, job: Job, ctrl_c: CtrlC) -> None:
        self.run, self.job, self.ctrl_c = run, job, ctrl_c
        self.t0 = time.perf_counter()

    def __call__(self, stage: str, frac: float) -> None:
        self.ctrl_c.check()
        run, dur = self.run, self.job.duration or 0.0
        if stage == "asr" and dur:
            el = time.perf_counter() - self.t0
            pace = frac * dur / el if el > 0 else 0.0
            run.progress.update(
                run.current,
                completed=frac * dur,
                detail=f"speech {frac * dur:4.0f}/{dur:.0f} s · {pace:4.1f}x",
            )
            run.progress.update(run.overall, completed=run.audio_done + frac * dur)
        else:
            run.progress.update(run.current, detail=f"{self.LABELS[stage]} {frac:4.0%}")


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
