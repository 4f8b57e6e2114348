"""`journeytape transcribe --ray`: the same batch, its recordings transcribed on a Ray cluster.

The driver (this process) walks, hashes and skips exactly as a local run (transcribe/batch.py)
and writes every output itself, through the same :func:`batch.finish`; only the work in the
middle, decode → ASR → diarization of one recording, runs on the cluster. So a cluster run
writes the same files as a local one, the same way (atomically, on the driver's disk). This
module is the driver; the worker actor that runs on the nodes is transcribe/ray_worker.py.

Why actors and not Ray Data: a recording is minutes of CPU, not a row in a table, so what
matters is keeping models loaded (an actor loads them once, in ``__init__``), knowing which
file each worker holds (to retry exactly that one when a worker is lost, and to report
per-file errors) and stopping cleanly on Ctrl-C. A pool of actors with one file in flight
each does all of that in a page of code and needs only the plain ``ray`` package; Ray Data
would add pandas/pyarrow, blocks and its own retry and progress machinery around the same
loop.

Fault tolerance: workers are started with ``max_restarts`` (Ray restarts a lost worker, on
another node if its node is gone) and ``max_task_retries=0``: the file a lost worker held
comes back here at once as an error and goes to the next free worker, instead of waiting for
its own worker's restart (on a fixed-size cluster that restart may wait for a node that never
comes back). A file whose worker is lost :data:`MAX_ATTEMPTS` times (one that kills its
worker, e.g. out of memory) fails on its own; the batch goes on.

Audio reaches a worker by its path when the worker can read the same file there (a shared
filesystem mounted at the same path; checked by sha256, so another file that happens to
have the same path is never transcribed in its place), otherwise through Ray's object store
(files up to ``upload_mb``; see docs/ray.md for the limits).
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from journeytape.transcribe import batch
from journeytape.transcribe.jobs import DONE, FAILED, INTERRUPTED, PENDING, Job, Outcome
from journeytape.transcribe.ray_worker import TranscribeWorker
from journeytape.transcribe.settings import TranscribeSettings
from journeytape.transcribe.terminal import CtrlC, log_line, make_progress, short, speed

INSTALL_HINT = (
    "--ray needs Ray, which is not installed here. Install it on this machine and on every "
    "node of the cluster: pip install 'journeytape[ray]'"
)
#: a file whose worker is lost this many times fails (it probably kills workers itself)
MAX_ATTEMPTS = 3
AUDIO_MODES = ("auto", "path", "upload")
#: seconds Ctrl-C waits for workers to drop their files before it kills them
CANCEL_WAIT = 10
#: how often (seconds) the driver looks at Ctrl-C and the progress while it waits
POLL = 0.5


class ClusterError(RuntimeError):
    """The cluster cannot be used (not installed, not reachable, workers cannot start)."""


def ray_available() -> bool:
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # privacy by default, whatever the shell says
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def default_memory_gb(settings: TranscribeSettings) -> float:
    """What one worker may use: peak RSS of a 1-hour interview was 2.2 GB with speaker
    separation (docs/transcribe.md, docs/speed.md), well under 1 GB for ASR alone with the
    base model."""
    return 3.0 if settings.diarize else 1.5


# -- the driver ----------------------------------------------------------------------------


@dataclass
class RayExecutor:
    """Runs a batch's recordings on a Ray cluster; plugs into :func:`batch.run`."""

    #: "auto" (the cluster started on this machine with `ray start`) or host:port
    address: str = "auto"
    #: CPUs each worker declares (and uses: its model threads)
    cpus: int = 2
    #: GB of memory each worker declares; None = :func:`default_memory_gb`
    memory_gb: float | None = None
    #: how many workers; None = as many as the nodes' CPUs and memory hold
    workers: int | None = None
    #: largest recording sent through the object store when a worker cannot read its path
    upload_mb: int = 256
    #: how audio reaches workers: "auto" (the path when the worker can read the same file
    #: there, else the object store), "path" (shared filesystem only), "upload" (always the
    #: object store, up to ``upload_mb``)
    audio: str = "auto"

    def __post_init__(self) -> None:
        if self.audio not in AUDIO_MODES:
            raise ClusterError(f"--ray-audio must be one of {', '.join(AUDIO_MODES)}")
        if not ray_available():
            raise ClusterError(INSTALL_HINT)

    def __call__(self, todo, settings, formats, console, show_progress) -> list[Outcome]:
        ray = _connect(self.address)
        try:
            return _Run(self, ray, todo, settings, formats, console, show_progress).run()
        finally:
            ray.shutdown()


def _connect(address: str):
    import logging

    import ray

    fix = "start one with `ray start --head` (docs/ray.md) or give its address with --ray-address"
    _check_reachable(address, fix)
    try:
        ray.init(
            address=address,
            namespace="journeytape",
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        why = str(exc).strip().rstrip(".")
        raise ClusterError(
            f"cannot connect to the Ray cluster at {address!r}: {why}; {fix}"
        ) from None
    return ray


def _check_reachable(address: str, fix: str) -> None:
    """Fail in seconds when nothing answers at host:port (Ray itself retries for minutes)."""
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        raise ClusterError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc}); {fix}"
        ) from None


class _Run:
    """One batch on the cluster: a pool of workers, one file in flight on each."""

    def __init__(self, ex: RayExecutor, ray, todo, settings, formats, console, show_progress):
        self.ex, self.ray, self.formats, self.console = ex, ray, formats, console
        self.todo: list[Job] = list(todo)
        self.show = show_progress
        cpus = max(1, ex.cpus)
        # the model uses exactly the CPUs the worker declared; threads are not in the settings
        # key, though they move float sums (docs/ray.md, "Same outputs")
        self.settings = replace(settings, threads=settings.threads or cpus)
        self.cpus = cpus
        self.memory = int((ex.memory_gb or default_memory_gb(settings)) * 2**30)
        self.pending: deque[Job] = deque(self.todo)
        self.attempts: dict[Path, int] = {}
        self.starting: dict[Any, Any] = {}  # hello() ref -> worker
        self.running: dict[Any, tuple[Any, Job, Any]] = {}  # ref -> (worker, job, upload ref)
        self.idle: list[Any] = []
        self.node_of: dict[Any, str] = {}  # worker -> node id
        self.no_share: set[str] = set()  # nodes that cannot read the driver's paths
        self.finished: dict[Path, Outcome] = {}
        self.key = None

    # -- set-up ----------------------------------------------------------------------------
    def _pool_size(self) -> int:
        """Workers to start: what the nodes hold, counting each node's CPUs *and* memory (Ray
        would leave a worker that fits nowhere waiting for a node that may never come)."""
        fit = 0
        for node in self.ray.nodes():
            if node.get("Alive"):
                res = node.get("Resources", {})
                fit += int(min(res.get("CPU", 0) // self.cpus, res.get("memory", 0) // self.memory))
        if fit < 1:
            self.console.print(
                f"[yellow]warning:[/] no node of this cluster has {self.cpus} CPUs and "
                f"{self.memory / 2**30:.1f} GB for a worker (--ray-cpus, --ray-memory); "
                "waiting for one to join",
                highlight=False,
            )
        if self.ex.workers:
            return max(1, min(self.ex.workers, len(self.todo)))
        return max(1, min(fit, len(self.todo)))

    def _start_workers(self) -> None:
        remote = self.ray.remote(TranscribeWorker).options(
            num_cpus=self.cpus,
            memory=self.memory,
            max_restarts=MAX_ATTEMPTS,
            max_task_retries=0,
        )
        for _ in range(self._pool_size()):
            w = remote.remote(self.settings)
            self.starting[w.hello.remote()] = w

    # -- the loop --------------------------------------------------------------------------
    def run(self) -> list[Outcome]:
        from journeytape.transcribe.pipeline import expected_key

        self.key = expected_key(self.settings)
        live = self.show and self.console.is_terminal
        progress = make_progress(self.console, live)
        total_audio = sum(j.duration or 0.0 for j in self.todo) or None
        self.audio_done = 0.0
        t_start = time.perf_counter()
        with progress, CtrlC() as ctrl_c:
            overall = progress.add_task("files", total=total_audio, detail="starting workers")
            current = progress.add_task("", total=None, detail="")
            try:
                self._start_workers()
                while self.pending or self.running:
                    if not (self.starting or self.running or self.idle):
                        self._fail_rest("no Ray worker left to run it")
                        break
                    self._assign()
                    refs = [*self.starting, *self.running]
                    if not refs:  # the last files failed before reaching a worker
                        continue
                    ready, _ = self.ray.wait(refs, num_returns=1, timeout=POLL)
                    ctrl_c.check()
                    for ref in ready:
                        self._collect(ref)
                    n = len(self.finished)
                    busy = ", ".join(short(r[1].source, 20) for r in self.running.values())
                    progress.update(
                        overall,
                        completed=self.audio_done,
                        description=f"files {n}/{len(self.todo)}",
                        detail=speed(self.audio_done, time.perf_counter() - t_start)
                        or f"{len(self.idle) + len(self.running)} workers ready",
                    )
                    progress.update(current, description="on the cluster", detail=busy)
                progress.update(current, visible=False)
            except KeyboardInterrupt:
                self._interrupted()
                self._cancel_running()
            finally:
                self._stop_workers()
        return [self.finished[j.source] for j in self.todo if j.source in self.finished]

    def _cancel_running(self) -> None:
        """Ask the workers to drop their files (they check between chunks of speech and then
        delete any uploaded copy); whatever has not stopped after ``CANCEL_WAIT`` is killed."""
        refs = list(self.running)
        for ref in refs:
            self.ray.cancel(ref)
        if refs:
            _, late = self.ray.wait(refs, num_returns=len(refs), timeout=CANCEL_WAIT)
            if late:
                self.console.print(
                    f"[yellow]{len(late)} Ray worker(s) did not stop within {CANCEL_WAIT} s; "
                    "stopped them (a copy of an uploaded recording is removed by the next "
                    "worker that starts on that node)[/]",
                    highlight=False,
                )

    def _stop_workers(self) -> None:
        workers = [*self.idle, *self.starting.values(), *(r[0] for r in self.running.values())]
        for w in workers:
            self.ray.kill(w)  # nothing they hold is written anywhere: stopping loses nothing

    def _assign(self) -> None:
        while self.idle and self.pending:
            w = self.idle.pop(0)
            job = self.pending.popleft()
            self._submit(w, job)

    def _submit(self, w, job: Job, upload: bool = False) -> None:
        from journeytape.files import sha256_file

        upload = upload or self.ex.audio == "upload" or self.node_of.get(w) in self.no_share
        try:
            if job.sha256 is None:
                job.sha256 = sha256_file(job.source)  # the worker checks its copy against it
            size = job.source.stat().st_size
            if upload and size > self.ex.upload_mb * 2**20:
                self.idle.append(w)
                note = (
                    f"{size / 2**20:.1f} MB is more than --ray-upload-mb {self.ex.upload_mb} "
                    "allows through Ray's object store; put the recordings on a shared "
                    "filesystem (docs/ray.md)"
                )
                self._done(job, Outcome(job.source, FAILED, note, job.base))
                return
            data = self.ray.put(job.source.read_bytes()) if upload else None
        except OSError as exc:
            self.idle.append(w)
            note = f"cannot read the file: {exc.strerror or exc}"
            self._done(job, Outcome(job.source, FAILED, note, job.base))
            return
        ref = w.transcribe.remote(str(job.source.resolve()), job.sha256, data)
        self.running[ref] = (w, job, data)

    def _collect(self, ref) -> None:
        from ray.exceptions import RayActorError, RayError

        if ref in self.starting:
            w = self.starting.pop(ref)
            try:
                info = self.ray.get(ref)
            except RayActorError:
                return  # this worker is gone for good; the others carry on
            if info["error"]:
                _raise_setting_error(*info["error"])
            self.node_of[w] = info["node"]
            self.idle.append(w)
            return
        w, job, _ = self.running.pop(ref)
        try:
            res = self.ray.get(ref)
        except RayActorError:
            self._lost(w, job)
            return
        except RayError as exc:  # not raised by our worker code, but never stop a batch
            self._done(job, Outcome(job.source, FAILED, f"Ray error: {exc}"[:500]))
            self.starting[w.hello.remote()] = w
            return
        self._result(w, job, res)

    def _result(self, w, job: Job, res: dict[str, Any]) -> None:
        status = res["status"]
        if status == "unreadable" and self.ex.audio == "auto":
            self.no_share.add(self.node_of.get(w, ""))
            self._submit(w, job, upload=True)
            return
        if status == "unreadable":
            note = (
                f"cannot be read at this path on node {res['host']} (--ray-audio path); mount "
                "the shared folder at the same path on every node (docs/ray.md)"
            )
            outcome = Outcome(job.source, FAILED, note, job.base)
        elif status == "audio":
            outcome = Outcome(job.source, FAILED, res["note"], job.base)
        elif status == "failed":
            outcome = Outcome(job.source, FAILED, res["note"])
        else:
            outcome = self._write(job, res)
        self.idle.append(w)
        self._done(job, outcome)

    def _write(self, job: Job, res: dict[str, Any]) -> Outcome:
        from journeytape.transcribe.transcript import Transcript, TranscriptError

        try:
            t = Transcript.from_dict(res["transcript"])
        except TranscriptError as exc:
            return Outcome(job.source, FAILED, f"worker on {res['host']} sent {exc}")
        if t.settings_key != self.key:
            return Outcome(
                job.source,
                FAILED,
                f"the worker on {res['host']} has another model or journeytape version than "
                "this machine (settings key differs); install the same on every node",
            )
        return batch.finish(job, t, self.formats, time.perf_counter() - res["seconds"])

    def _lost(self, w, job: Job) -> None:
        n = self.attempts[job.source] = self.attempts.get(job.source, 0) + 1
        if n >= MAX_ATTEMPTS:
            self._done(
                job,
                Outcome(
                    job.source,
                    FAILED,
                    f"its Ray worker was lost {n} times while transcribing it (out of memory? "
                    "raise --ray-memory; the Ray logs on the node say why)",
                    job.base,
                ),
            )
        else:
            self.console.print(
                f"[yellow]a Ray worker was lost while transcribing {job.source}; "
                f"retrying that file (attempt {n + 1} of {MAX_ATTEMPTS})[/]",
                highlight=False,
            )
            self.pending.appendleft(job)
        # Ray restarts the worker (max_restarts) where resources allow; it rejoins the pool
        # when it answers again, or drops out if it cannot come back
        self.starting[w.hello.remote()] = w

    def _done(self, job: Job, outcome: Outcome) -> None:
        self.finished[job.source] = outcome
        if outcome.status == DONE:
            self.audio_done += outcome.duration or job.duration or 0.0
        if self.show and not self.console.is_terminal:
            n = len(self.finished)
            self.console.print(f"[{n}/{len(self.todo)}] {log_line(outcome)}", highlight=False)

    def _fail_rest(self, why: str) -> None:
        while self.pending:
            job = self.pending.popleft()
            self._done(job, Outcome(job.source, FAILED, why, job.base))

    def _interrupted(self) -> None:
        for _, job, _ in self.running.values():
            self.finished[job.source] = Outcome(
                job.source, INTERRUPTED, "stopped by Ctrl-C; no transcript written"
            )
        for job in self.todo:
            self.finished.setdefault(job.source, Outcome(job.source, PENDING, "", job.base))


def _raise_setting_error(kind: str, message: str) -> None:
    """A worker found the settings or models unusable: fail the batch before any output, with
    the same error (and exit status) a local run gives."""
    from journeytape.models.registry import ModelError
    from journeytape.transcribe.asr import AsrError

    raise (AsrError if kind == "AsrError" else ModelError)(message)
