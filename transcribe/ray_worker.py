"""What runs on a Ray cluster's nodes for `journeytape transcribe --ray`: one worker actor.

A worker loads the models once (in ``__init__``) and then transcribes file after file; the
driver (transcribe/cluster.py) decides which file goes where and writes every output itself.
This module is imported on the nodes, from their own journeytape install: it must not need
anything only the driver has.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from journeytape.transcribe.settings import TranscribeSettings

#: a worker's private folder for a recording sent through the object store: the pid names
#: its owner, so a worker that starts later on the node removes what a killed one left
UPLOAD_PREFIX = "journeytape-ray-"


class _Cancelled(BaseException):
    """The driver cancelled this file (Ctrl-C): stop, clean up, write nothing."""


def _sweep_uploads() -> None:
    """Remove upload folders of journeytape workers that are gone (killed mid-file: Ctrl-C,
    out of memory, node shut down), so no copy of a recording outlives its worker for long."""
    for d in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        pid = d.name[len(UPLOAD_PREFIX) :].split("-")[0]
        if not pid.isdigit() or not d.is_dir() or d.owner() != _user():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass  # alive (another user's process): not ours to touch


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


class TranscribeWorker:
    """One worker process on a node: loads the models once, then transcribes file after file.

    Never raises from its methods: setting errors are reported by :meth:`hello`, file errors
    come back as values, so the driver can tell them from a lost worker.
    """

    def __init__(self, settings: TranscribeSettings) -> None:
        import platform

        import ray

        from journeytape import __version__
        from journeytape.models.registry import ModelError
        from journeytape.transcribe.asr import AsrError, check_languages, load_model

        _sweep_uploads()
        self.settings = settings
        self.model = None
        self.info: dict[str, Any] = {
            "node": ray.get_runtime_context().get_node_id(),
            "host": platform.node(),
            "pid": os.getpid(),
            "version": __version__,
            "error": None,
        }
        try:
            voice = settings.interviewer_voice
            if voice and not os.access(voice, os.R_OK):
                raise ModelError(
                    f"the interviewer voice sample {voice} cannot be read on node "
                    f"{platform.node()}: put it on the shared filesystem, at the same path"
                )
            self.model = load_model(settings.model, settings.compute_type, settings.threads)
            check_languages(self.model, settings.language, settings.languages)
        except (ModelError, AsrError) as exc:
            self.info["error"] = (type(exc).__name__, f"on node {platform.node()}: {exc}")

    def hello(self) -> dict[str, Any]:
        return self.info

    def transcribe(self, path: str, sha256: str, data: bytes | None = None) -> dict[str, Any]:
        """Transcribe the recording at ``path`` (or given as ``data``); a dict either way."""
        import ray

        from journeytape.files import sha256_file
        from journeytape.transcribe.audio import AudioError
        from journeytape.transcribe.pipeline import transcribe_file

        ctx = ray.get_runtime_context()

        def cancelled(stage: str, fraction: float) -> None:
            if ctx.is_canceled():  # the driver's Ctrl-C (ray.cancel)
                raise _Cancelled

        host = self.info["host"]
        tmp = None
        local = path
        try:
            if data is not None:
                tmp = tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-")  # 0700
                local = os.path.join(tmp, os.path.basename(path))
                fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            elif not os.access(path, os.R_OK):
                return {"status": "unreadable", "host": host}
            elif sha256_file(path) != sha256:
                return {
                    "status": "failed",
                    "note": f"the file at this path on node {host} is not the same recording "
                    "(different sha256); mount the shared folder at the same path everywhere",
                }
            t0 = time.perf_counter()
            t = transcribe_file(
                local, self.settings, model=self.model, progress=cancelled, sha256=sha256
            )
            t.recording.path = path  # what the driver (and a local run) writes
            return {
                "status": "done",
                "transcript": t.to_dict(),
                "seconds": time.perf_counter() - t0,
                "host": host,
            }
        except _Cancelled:
            return {"status": "cancelled", "host": host}
        except AudioError as exc:
            return {"status": "audio", "note": str(exc).replace(local, path), "host": host}
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop a batch
            note = f"unexpected error: {type(exc).__name__}: {exc}".replace(local, path)
            return {"status": "failed", "note": note, "host": host}
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
