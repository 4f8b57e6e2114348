"""A WAV file that is decodable at every moment of a recording, and its repair after a crash.

Why hand-written: the recorder must control exactly when bytes and header reach the disk.
Audio is appended with ``os.write``; about once a second the two size fields in the header are
rewritten in place and the file is fsynced, so a crash (kill -9, power loss) leaves a valid WAV
whose header is at most a second behind, and :func:`repair` makes it exact.

The header reserves a 28-byte ``JUNK`` chunk (EBU Tech 3306). When the data grows past what a
32-bit RIFF size can describe (4 GiB), the header is promoted in place to RF64: ``RIFF`` becomes
``RF64`` and ``JUNK`` becomes ``ds64`` with 64-bit sizes. Nothing else in the file moves, so an
interview of any length is one file that libsndfile, ffmpeg and sox read.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from journeytape.files import fsync_dir

#: RIFF(12) + JUNK/ds64(8+28) + fmt(8+16) + data(8)
HEADER_BYTES = 80
DATA_OFFSET = HEADER_BYTES
#: largest data size a plain RIFF header can state (RIFF size = data + 72 must fit 32 bits)
RIFF_LIMIT = 0xFFFFFFFF - (HEADER_BYTES - 8)


class DiskFullError(OSError):
    """The disk filled up; the file was cut back to whole frames and its header is valid."""


@dataclass(frozen=True)
class WavFormat:
    samplerate: int
    channels: int
    sampwidth: int = 2  # bytes per sample (16-bit PCM)

    @property
    def block_align(self) -> int:
        return self.channels * self.sampwidth

    @property
    def bytes_per_second(self) -> int:
        return self.samplerate * self.block_align


def _header(fmt: WavFormat, data_bytes: int, riff_limit: int = RIFF_LIMIT) -> bytes:
    """The 80-byte header for ``data_bytes`` of audio (RF64 when it does not fit RIFF)."""
    fmt_chunk = struct.pack(
        "<4sIHHIIHH",
        b"fmt ",
        16,
        1,  # WAVE_FORMAT_PCM
        fmt.channels,
        fmt.samplerate,
        fmt.bytes_per_second,
        fmt.block_align,
        fmt.sampwidth * 8,
    )
    if data_bytes <= riff_limit:
        head = struct.pack("<4sI4s", b"RIFF", data_bytes + HEADER_BYTES - 8, b"WAVE")
        junk = struct.pack("<4sI", b"JUNK", 28) + bytes(28)
        data = struct.pack("<4sI", b"data", data_bytes)
    else:
        frames = data_bytes // fmt.block_align
        head = struct.pack("<4sI4s", b"RF64", 0xFFFFFFFF, b"WAVE")
        junk = struct.pack(
            "<4sIQQQI", b"ds64", 28, data_bytes + HEADER_BYTES - 8, data_bytes, frames, 0
        )
        data = struct.pack("<4sI", b"data", 0xFFFFFFFF)
    out = head + junk + fmt_chunk + data
    assert len(out) == HEADER_BYTES
    return out


class WavWriter:
    """Append-only 16-bit PCM WAV/RF64 writer; ``sync()`` makes everything so far durable.

    The file is created exclusively: an existing file is never overwritten.
    """

    def __init__(self, path: str | os.PathLike[str], fmt: WavFormat, riff_limit: int = RIFF_LIMIT):
        self.path = Path(path)
        self.fmt = fmt
        self.riff_limit = riff_limit
        self.data_bytes = 0
        self._synced_bytes = -1
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            self._write_all(_header(fmt, 0, riff_limit))
            os.fsync(self._fd)
            fsync_dir(self.path.parent)  # the new name itself must survive a power cut
        except BaseException:
            os.close(self._fd)
            raise

    @property
    def frames(self) -> int:
        return self.data_bytes // self.fmt.block_align

    @property
    def seconds(self) -> float:
        return self.frames / self.fmt.samplerate

    @property
    def container(self) -> str:
        return "wav" if self.data_bytes <= self.riff_limit else "rf64"

    def _write_all(self, data: bytes | memoryview) -> int:
        view = memoryview(data)
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done

    def write(self, data: bytes | memoryview) -> None:
        """Append whole frames. On a full disk the partial tail is cut off and
        :class:`DiskFullError` is raised with the file still valid."""
        if len(data) % self.fmt.block_align:
            raise ValueError("write whole frames only")
        try:
            self._write_all(data)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            self._cut_to_whole_frames()
            raise DiskFullError(exc.errno, f"disk full while writing {self.path}") from exc
        self.data_bytes += len(data)

    def _cut_to_whole_frames(self) -> None:
        size = os.fstat(self._fd).st_size
        data = max(0, size - DATA_OFFSET)
        data -= data % self.fmt.block_align
        os.ftruncate(self._fd, DATA_OFFSET + data)
        os.lseek(self._fd, 0, os.SEEK_END)
        self.data_bytes = data
        self.sync()

    def sync(self) -> None:
        """Rewrite the header for the data written so far, then fsync (about once a second)."""
        if self._synced_bytes == self.data_bytes:
            return
        os.fdatasync(self._fd)  # data first: the header must never claim bytes not on disk
        os.pwrite(self._fd, _header(self.fmt, self.data_bytes, self.riff_limit), 0)
        os.fsync(self._fd)
        self._synced_bytes = self.data_bytes

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            self._fd = -1


@dataclass
class RepairResult:
    path: Path
    frames: int
    seconds: float
    torn_bytes: int  # bytes of a half-written last frame that were cut off
    container: str


def read_format(path: str | os.PathLike[str]) -> WavFormat | None:
    """The format from our own header, or None when the header itself is torn."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_BYTES)
    if len(head) < HEADER_BYTES or head[:4] not in (b"RIFF", b"RF64") or head[48:52] != b"fmt ":
        return None
    _, _, _tag, channels, rate, _bps, align, bits = struct.unpack("<4sIHHIIHH", head[48:72])
    if channels < 1 or rate < 1 or align != channels * bits // 8:
        return None
    return WavFormat(samplerate=rate, channels=channels, sampwidth=bits // 8)


def repair(
    path: str | os.PathLike[str], fallback: WavFormat | None = None, riff_limit: int = RIFF_LIMIT
) -> RepairResult:
    """Make a WAV left by a crash exact: cut a torn last frame, rewrite the header, fsync.

    ``fallback`` (from session.json) is used when even the header is incomplete.
    """
    path = Path(path)
    fmt = read_format(path) or fallback
    if fmt is None:
        raise ValueError(f"{path}: no usable WAV header and no format to rebuild it from")
    size = path.stat().st_size
    data = max(0, size - DATA_OFFSET)
    torn = data % fmt.block_align
    data -= torn
    fd = os.open(path, os.O_RDWR)
    try:
        if size < DATA_OFFSET:
            os.ftruncate(fd, 0)
        os.ftruncate(fd, DATA_OFFSET + data)
        os.pwrite(fd, _header(fmt, data, riff_limit), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    frames = data // fmt.block_align
    return RepairResult(
        path=path,
        frames=frames,
        seconds=frames / fmt.samplerate,
        torn_bytes=torn,
        container="wav" if data <= riff_limit else "rf64",
    )


def append_data(
    dst: str | os.PathLike[str],
    src: str | os.PathLike[str],
    base_bytes: int,
    riff_limit: int = RIFF_LIMIT,
    chunk: int = 2**20,
) -> int:
    """Join the audio of ``src`` onto the first ``base_bytes`` of audio in ``dst`` (both our own
    80-byte-header WAVs of the same format), losslessly, and make ``dst``'s header exact.

    Idempotent, so a crash half-way is simply redone: ``dst`` is first cut back to
    ``base_bytes`` (what it held before the join began). The data is fsynced before the header
    claims it. Returns the frames appended.
    """
    dst, src = Path(dst), Path(src)
    fmt = read_format(dst)
    src_fmt = read_format(src)
    if fmt is None or src_fmt is None or fmt != src_fmt:
        raise ValueError(f"cannot join {src} onto {dst}: formats differ ({src_fmt} vs {fmt})")
    size = src.stat().st_size - DATA_OFFSET
    size -= size % fmt.block_align
    fd = os.open(dst, os.O_RDWR)
    try:
        os.ftruncate(fd, DATA_OFFSET + base_bytes)
        os.lseek(fd, 0, os.SEEK_END)
        with open(src, "rb") as fh:
            fh.seek(DATA_OFFSET)
            left = size
            while left > 0:
                block = fh.read(min(chunk, left))
                if not block:
                    break
                view = memoryview(block)
                while view:
                    view = view[os.write(fd, view) :]
                left -= len(block)
        os.fdatasync(fd)
        os.pwrite(fd, _header(fmt, base_bytes + size - left, riff_limit), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    return (size - left) // fmt.block_align
