"""The session folder and its ``session.json``, the lock that tells live sessions from crashed
ones, and recovery of a session whose recorder died.

Layout (documented in docs/formats.md and docs/record.md)::

    <root>/<YYYY-MM-DD>_<pseudonym>/
        consent.json           written before any audio is captured
        session.json           rewritten atomically on every event
        recording.wav.part     the audio while recording (a valid WAV at every moment)
        recording.wav          the audio once the session is closed (RF64 past 4 GiB)
        .lock                  held (flock) by the live recorder; a crash releases it
        .reserve               a little disk space kept back to close cleanly on a full disk
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from journeytape.consent import now_iso
from journeytape.files import atomic_write_json, private_mkdir, sha256_file
from journeytape.recorder.wavfile import DATA_OFFSET, WavFormat, repair

SESSION_FILE = "session.json"
AUDIO_NAME = "recording.wav"
PART_NAME = AUDIO_NAME + ".part"
LOCK_NAME = ".lock"
RESERVE_NAME = ".reserve"
FORMAT = "journeytape-session"
VERSION = 1
_PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class SessionError(RuntimeError):
    """A problem with a session folder, worded for the interviewer."""


def check_pseudonym(pseudonym: str) -> str:
    p = pseudonym.strip()
    if not _PSEUDONYM.match(p):
        raise SessionError(
            f"pseudonym {pseudonym!r}: use letters, digits, '-', '_' or '.' (max 64), e.g. P07. "
            "It names the folder, so never use the interviewee's real name."
        )
    return p


def new_session_folder(root: Path, pseudonym: str, day: date | None = None) -> Path:
    """Create ``<root>/<date>_<pseudonym>/``; a second session the same day gets ``-2``, ``-3``…
    (an existing folder is never reused or overwritten)."""
    pseudonym = check_pseudonym(pseudonym)
    day = day or date.today()
    try:
        private_mkdir(root)
    except PermissionError:
        raise SessionError(
            f"cannot create {root}: permission denied. Choose a folder you can write to with --out."
        ) from None
    base = f"{day.isoformat()}_{pseudonym}"
    for n in range(1, 1000):
        folder = root / (base if n == 1 else f"{base}-{n}")
        try:
            folder.mkdir(mode=0o700)
            return folder
        except FileExistsError:
            continue
        except PermissionError:
            raise SessionError(
                f"cannot create a session folder in {root}: permission denied. Choose a "
                "folder you can write to with --out."
            ) from None
    raise SessionError(f"too many sessions named {base} in {root}")


def _try_flock(path: Path) -> int | None:
    """An exclusive flock on ``path`` (created 0600), or None while another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class SessionLock:
    """An flock on ``.lock``: held while a recorder runs, released by the kernel on any death."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = _try_flock(self.path)
        if fd is None:
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)
            self._fd = None


class DeviceLock:
    """One recorder per microphone: an flock in ``~/.cache/journeytape/locks`` named after the
    device, held while a recorder has it open (released by the kernel on any death).

    Why: two recorders started with the same pseudonym both captured the microphone into
    P30 and P30-2. Devices are told apart by name and host API; two names for the same
    hardware (``pulse`` and ``default``) are not recognised as one.
    """

    def __init__(self, device_key: str):
        import hashlib

        from journeytape import _own_cache

        digest = hashlib.sha256(device_key.encode("utf-8")).hexdigest()[:16]
        self.folder = Path(_own_cache()) / "locks"
        self.path = self.folder / f"device-{digest}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        private_mkdir(self.folder)
        fd = _try_flock(self.path)
        if fd is None:
            return False
        self._fd = fd
        self.note("")
        return True

    def note(self, session: str) -> None:
        """Say who holds it (pid, session folder) for the message the next recorder prints."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{os.getpid()}\n{session}\n".encode(), 0)

    def holder(self) -> tuple[str, str]:
        """(pid, session folder) of the recorder holding the device, as far as known."""
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except OSError:
            return "?", ""
        return (lines[0] if lines else "?"), (lines[1] if len(lines) > 1 else "")

    def release(self) -> None:
        if self._fd is not None:
            # the file stays (unlinking it would race a new acquirer) but forgets the session
            # folder: its name holds the pseudonym, which must not outlive a withdrawal here
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


class SessionLog:
    """``session.json`` held in memory and rewritten atomically after each change.

    Thread-safe: the writer thread updates progress and overflow counts while the screen adds
    markers and ticks.
    """

    def __init__(self, folder: Path, data: dict[str, Any]):
        self.folder = folder
        self.data = data
        self._lock = threading.RLock()

    @classmethod
    def create(cls, folder: Path, **fields: Any) -> SessionLog:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "status": "ready",
            "created": now_iso(),
            "started": None,
            "ended": None,
            "pseudonym": None,
            "journey": None,
            "guide": None,
            "device": None,
            "samplerate": None,
            "channels": None,
            "sample_format": "s16le",
            "audio": {"file": None, "part": PART_NAME, "frames": 0, "seconds": 0.0},
            "markers": [],
            "checklist": [],
            "pauses": [],
            "gaps": [],
            "faults": [],
            "overflows": {"input_overflows": 0, "dropped_blocks": 0, "dropped_frames": 0},
            "stopped_by": None,
            "recovered": None,
            "without_consent_reason": None,
        }
        data.update(fields)
        log = cls(folder, data)
        log.save()
        return log

    @classmethod
    def load(cls, folder: Path) -> SessionLog:
        return cls(folder, json.loads((folder / SESSION_FILE).read_text("utf-8")))

    def save(self) -> None:
        with self._lock:
            atomic_write_json(self.folder / SESSION_FILE, self.data)

    def update(self, save: bool = True, **fields: Any) -> None:
        with self._lock:
            self.data.update(fields)
            if save:
                self.save()

    def append(self, key: str, item: dict[str, Any], save: bool = True) -> dict[str, Any]:
        with self._lock:
            self.data[key].append(item)
            if save:
                self.save()
        return item

    def fault(self, kind: str, message: str, t: float | None = None) -> None:
        self.append("faults", {"kind": kind, "message": message, "t": t, "wall": now_iso()})

    def relabel(self, marker: dict[str, Any], label: str) -> None:
        """Give a saved marker its label (typed after ``m``)."""
        with self._lock:
            marker["label"] = label
            self.save()

    def remove(self, key: str, item: dict[str, Any]) -> None:
        """Take ``item`` (that very dict) out of the list ``key`` again."""
        with self._lock:
            items = self.data.get(key, [])
            for i, m in enumerate(items):
                if m is item:
                    del items[i]
                    break
            self.save()

    def toggle_tick(self, item_id: str, t: float) -> bool:
        """Tick a checklist item at ``t`` seconds, or untick it; returns whether it is ticked
        now (KeyError for an id the checklist does not have)."""
        with self._lock:
            for it in self.data["checklist"]:
                if it["id"] == item_id:
                    if it.get("ticked_at") is None:
                        it["ticked_at"] = t
                        it["ticked_wall"] = now_iso()
                    else:
                        it["ticked_at"] = it["ticked_wall"] = None
                    self.save()
                    return it["ticked_at"] is not None
        raise KeyError(item_id)


# -- finding and recovering unfinished sessions --------------------------------------------
@dataclass
class Unfinished:
    folder: Path
    pseudonym: str | None
    started: str | None
    part_bytes: int
    #: how much audio the part holds (from its size and the session's format), for messages
    part_seconds: float = 0.0


def find_unfinished(root: Path) -> list[Unfinished]:
    """Sessions under ``root`` left open by a recorder that is no longer running."""
    out: list[Unfinished] = []
    if not root.is_dir():
        return out
    for sj in sorted(root.glob(f"*/{SESSION_FILE}")):
        folder = sj.parent
        try:
            data = json.loads(sj.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("format") != FORMAT:
            continue
        part = folder / PART_NAME
        status = data.get("status")
        # "ready" with audio: killed in the instant between creating the file and saying so
        if status not in ("recording", "closing") and not (status == "ready" and part.exists()):
            continue
        lock = SessionLock(folder)
        if not lock.acquire():
            continue  # a recorder is alive on it
        lock.release()
        size = part.stat().st_size if part.exists() else 0
        bps = int(data.get("samplerate") or 0) * int(data.get("channels") or 0) * 2
        out.append(
            Unfinished(
                folder,
                data.get("pseudonym"),
                data.get("started"),
                size,
                max(0, size - DATA_OFFSET) / bps if bps else 0.0,
            )
        )
    return out


def finalize_audio(folder: Path, log: SessionLog | None = None) -> Path | None:
    """Give the finished ``.part`` its final name without ever overwriting a file; in a
    resumed session (``record --resume``), join it onto the audio recorded before."""
    part = folder / PART_NAME
    final = folder / AUDIO_NAME
    if not part.exists():
        if log is not None and log.data.get("joining"):
            log.update(joining=None)  # died after the join, before saying so: it is done
        return final if final.exists() else None
    if final.exists() and os.path.samefile(part, final):  # died between link and unlink
        os.unlink(part)
        _fsync_dir(folder)
        return final
    if final.exists() and log is not None and log.data.get("resumes"):
        return join_part(folder, log)
    try:
        os.link(part, final)  # fails if ``final`` exists: nothing is overwritten
        os.unlink(part)
    except FileExistsError:
        raise SessionError(f"{final} already exists; the recording stays in {part}") from None
    except OSError:
        if final.exists():
            raise SessionError(f"{final} already exists; the recording stays in {part}") from None
        os.rename(part, final)  # file systems without hard links
    _fsync_dir(folder)
    return final


def join_part(folder: Path, log: SessionLog) -> Path:
    """Append the new part's audio to ``recording.wav`` (lossless, crash-safe: ``joining`` in
    session.json says how long the file was before, so a crash mid-join is redone), then
    remove the part. One session, one audio file, whose timeline markers already use."""
    from journeytape.recorder.wavfile import append_data

    part, final = folder / PART_NAME, folder / AUDIO_NAME
    job = log.data.get("joining")
    if not job:
        job = {"base_bytes": final.stat().st_size - DATA_OFFSET, "at": now_iso()}
        log.update(joining=job)
    try:
        append_data(final, part, int(job["base_bytes"]))
    except ValueError as exc:
        raise SessionError(f"{exc}; the new audio stays in {part}") from None
    os.unlink(part)
    _fsync_dir(folder)
    log.update(joining=None)
    return final


def begin_resume(log: SessionLog, base_frames: int) -> dict[str, Any]:
    """Reopen a closed session for more audio: the gap since it ended is recorded (as a gap
    with reason "resumed" at the point where the new part starts) and so is the resume."""
    d = log.data
    rate = int(d["samplerate"])
    wall = now_iso()
    entry = {
        "t": round(base_frames / rate, 3),
        "frame": base_frames,
        "wall": wall,
        "previous_end": d.get("ended"),
        "previous_stop": d.get("stopped_by"),
    }
    with log._lock:
        d.setdefault("resumes", []).append(entry)
        d["gaps"].append(
            {
                "t": entry["t"],
                "wall_start": d.get("ended"),
                "wall_end": wall,
                "reason": "resumed",
                "after": d.get("stopped_by"),
            }
        )
        d["audio"] = {**(d.get("audio") or {}), "part": PART_NAME, "base_frames": base_frames}
        d.update(status="ready", stopped_by=None, ended=None)
        log.save()
    return entry


def audio_frames(folder: Path) -> int:
    """Frames in the session's closed ``recording.wav`` (0 when there is none)."""
    from journeytape.recorder.wavfile import read_format

    final = folder / AUDIO_NAME
    fmt = read_format(final) if final.exists() else None
    return 0 if fmt is None else (final.stat().st_size - DATA_OFFSET) // fmt.block_align


def close_session(folder: Path, log: SessionLog, stopped_by: str, **extra: Any) -> Path | None:
    """Mark the session closed with its one audio file, its length and hash."""
    final = finalize_audio(folder, log)
    audio = dict(log.data.get("audio") or {})
    if final is not None:
        from journeytape.recorder.wavfile import read_format

        fmt = read_format(final)
        if fmt is not None:
            frames = (final.stat().st_size - DATA_OFFSET) // fmt.block_align
            audio.update(frames=frames, seconds=round(frames / fmt.samplerate, 3))
        audio.update(
            file=final.name, part=None, sha256=sha256_file(final), bytes=final.stat().st_size
        )
        audio.pop("base_frames", None)
    with contextlib.suppress(FileNotFoundError):
        (folder / RESERVE_NAME).unlink()
    log.update(
        status="closed" if final is not None else "empty",
        ended=log.data.get("ended") or now_iso(),
        stopped_by=log.data.get("stopped_by") or stopped_by,
        audio=audio,
        **extra,
    )
    return final


def recover(folder: Path) -> dict[str, Any]:
    """Repair and close a session whose recorder died (kill -9, power loss, crash)."""
    lock = SessionLock(folder)
    if not lock.acquire():
        raise SessionError(f"{folder} is being recorded right now (its recorder is running)")
    try:
        log = SessionLog.load(folder)
        part = folder / PART_NAME
        info: dict[str, Any] = {"at": now_iso(), "torn_bytes": 0, "seconds": 0.0}
        if part.exists():
            d = log.data
            ended = datetime.fromtimestamp(part.stat().st_mtime).astimezone()
            log.update(save=False, ended=ended.isoformat(timespec="seconds"))
            fallback = None
            if d.get("samplerate") and d.get("channels"):
                fallback = WavFormat(int(d["samplerate"]), int(d["channels"]))
            res = repair(part, fallback)
            info.update(torn_bytes=res.torn_bytes, seconds=round(res.seconds, 3))
            info["container"] = res.container
            info["header_seconds_before"] = (d.get("audio") or {}).get("seconds")
        close_session(folder, log, stopped_by="recovered", recovered=info)
        return info
    finally:
        lock.release()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
