"""Free disk space while recording: a reserve that lets a full disk still close the files,
a warning while only minutes are left, and a clean stop before the disk is full."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from journeytape.recorder.devices import RecorderError
from journeytape.recorder.session import RESERVE_NAME


def fmt_left(seconds: float) -> str:
    """Time left in words that never round a short time down to nothing ("18 s", not
    "0 min")."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s // 60 % 60:02d} min"


class DiskGuard:
    """Watches the free space in the session folder for one recorder (checked about once a
    second by the writer thread)."""

    def __init__(
        self,
        folder: Path,
        *,
        min_free_bytes: int,
        warn_seconds_left: float,
        bytes_per_second: int,
        reserve_bytes: int,
        say: Callable[[str], None],
    ) -> None:
        self.folder = folder
        self.min_free_bytes = min_free_bytes
        self.warn_seconds_left = warn_seconds_left
        self.bytes_per_second = bytes_per_second
        self.reserve_bytes = reserve_bytes
        self._say = say
        self._last_warning = -1e9
        #: free bytes at the last check
        self.free = shutil.disk_usage(folder).free

    @property
    def seconds_left(self) -> float:
        """Audio that still fits before ``min_free_bytes`` is reached."""
        return max(0, self.free - self.min_free_bytes) / self.bytes_per_second

    def make_reserve(self) -> None:
        """Keep a little space back so that a full disk still lets us close the files."""
        path = self.folder / RESERVE_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        try:  # never more than a quarter of what is free (small disks, tests)
            size = min(self.reserve_bytes, shutil.disk_usage(self.folder).free // 4)
            os.posix_fallocate(fd, 0, max(4096, size))
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)

    def free_reserve(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / RESERVE_NAME).unlink()

    def check(self, initial: bool = False) -> bool:
        """Update free space; return False when recording must stop (``initial``: raise
        instead, nothing has been recorded yet)."""
        try:
            self.free = shutil.disk_usage(self.folder).free
        except OSError:
            return True
        if self.free < self.min_free_bytes:
            msg = f"Disk almost full ({self.free / 2**20:.1f} MiB free in {self.folder}): " + (
                "not starting. Free some space or record elsewhere with --out."
                if initial
                else "stopped recording; everything so far is saved."
            )
            if initial:
                raise RecorderError(msg)
            self._say(msg)
            return False
        left = (self.free - self.min_free_bytes) / self.bytes_per_second
        now = time.monotonic()
        if left < self.warn_seconds_left and now - self._last_warning > 60:
            self._last_warning = now
            self._say(
                f"Disk space for only {fmt_left(left)} more of audio in {self.folder}; "
                "the recording stops cleanly before the disk is full."
            )
        return True
