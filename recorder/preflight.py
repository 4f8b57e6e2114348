"""Checks before anyone is asked anything: the microphone exists, takes a format and is not
being recorded by another recorder; the output folder is writable and has room for audio.

Each failure is one clear line and exit code 2, with nothing asked, saved or recorded yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from journeytape.recorder.messages import fail

if TYPE_CHECKING:
    from journeytape.recorder.devices import Device
    from journeytape.recorder.session import DeviceLock


def find_device(spec: str | None, rate: int | None, channels: int) -> tuple[Device, int, int]:
    """The input device and the (sample rate, channels) it records in; only queried."""
    from journeytape.recorder.devices import RecorderError, choose_format, resolve_device

    try:
        dev = resolve_device(spec)
        samplerate, nch = choose_format(dev, rate, channels)
    except RecorderError as exc:
        raise fail(str(exc)) from None
    return dev, samplerate, nch


def lock_device(dev: Device) -> DeviceLock:
    """Hold the microphone for this recorder, or fail before anything is asked."""
    import atexit

    from journeytape.recorder.session import DeviceLock

    lock = DeviceLock(f"{dev.hostapi}:{dev.name}")
    if not lock.acquire():
        pid, where = lock.holder()
        raise fail(
            f"microphone {dev.name!r} is already being recorded by another journeytape record "
            f"(pid {pid}{', into ' + where if where else ''}). Nothing was asked or recorded; "
            "stop that recorder first, or choose another microphone with --device."
        )
    atexit.register(lock.release)
    return lock


def check_out(out: Path, min_free: int, bytes_per_second: int) -> None:
    """Fail with one clear line (no traceback, nothing asked yet) when ``--out`` cannot take
    a recording: not creatable or writable, or less free space than ``--min-free`` plus one
    second of audio (the recorder itself stops cleanly when the disk fills later)."""
    import os
    import shutil
    import tempfile

    from journeytape.files import private_mkdir

    try:
        private_mkdir(out)
        fd, probe = tempfile.mkstemp(prefix=".journeytape-probe-", dir=out)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(out).free
    except OSError as exc:
        why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or exc
        raise fail(
            f"cannot write in {out}: {why}. Nothing was asked or recorded; choose a folder "
            "you can write to with --out."
        ) from None
    need = min_free + bytes_per_second
    if free < need:
        raise fail(
            f"only {free / 2**20:.1f} MiB free in {out} (--min-free {min_free / 2**20:.0f} MiB "
            "plus a second of audio is needed). Nothing was asked or recorded; "
            "free some space or choose another --out."
        )
