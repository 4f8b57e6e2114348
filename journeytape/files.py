"""Small file helpers every stage shares: atomic writes and content hashes.

An interrupted run must never leave a file that looks complete, so every output is written
to a temporary file in the same folder, flushed and fsynced, then renamed over the target
(rename is atomic on POSIX file systems). The temporary file is created 0600 (mkstemp) and
folders we create are 0700: every output may hold interview content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20

#: file name suffixes of recordings (lower case, with the dot): what the batch runner
#: transcribes, what the review app may serve, what erasure hashes to find copies
AUDIO_SUFFIXES = frozenset(
    {
        ".wav", ".wave", ".flac", ".mp3", ".mpga", ".m4a", ".m4b", ".aac", ".mp4", ".mov",
        ".m4v", ".3gp", ".3ga", ".3g2", ".amr", ".awb", ".opus", ".ogg", ".oga", ".webm",
        ".weba", ".mkv", ".mka", ".wma", ".asf", ".aif", ".aiff", ".aifc", ".caf", ".ac3",
        ".au", ".avi",
    }
)  # fmt: skip


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers see either the old file or the whole new one."""
    path = Path(path)
    private_mkdir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
    return path


def private_mkdir(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` and any missing parents as 0700 (interviews are personal data:
    other local users must not even list the names). Existing folders are left as they are:
    the user chose their mode."""
    folder = Path(folder)
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(d, 0o700)  # mkdir's mode is masked by the umask; 0700 is what we want
    return folder


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (recordings can be gigabytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_json(obj: Any) -> str:
    """Stable hash of JSON-able settings, used in cache keys and written into outputs."""
    blob = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` itself survive a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
