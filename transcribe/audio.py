"""Decode any recording (phone memos, WhatsApp notes, video) to 16 kHz mono float32.

Decoding streams through PyAV (the FFmpeg libraries faster-whisper already bundles): packets
are decoded and resampled a few seconds at a time straight into one preallocated 16 kHz
array, so a two-hour interview needs memory for the decoded 16 kHz samples and nothing
proportional to the source (no intermediate copy of the original-rate audio).

Every way a file can be unusable raises :class:`AudioError` with one line a researcher can
act on; the batch runner prints that line in its summary and moves on. Damage that still
leaves usable audio (a truncated MP3, a few broken frames) is not an error: the audio that
could be decoded is returned and :attr:`DecodedAudio.warnings` says what was lost.

Silence-only audio (nothing louder than -60 dBFS: a muted microphone, a recording of
nothing) is an error, because transcribing it can only produce nothing or hallucinations.
Quiet but non-silent audio without speech is decoded normally; the ASR stage then reports
"no speech found".
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from journeytape.files import AUDIO_SUFFIXES, sha256_file
from journeytape.transcribe.transcript import Recording

SAMPLE_RATE = 16000
#: below this peak level (dBFS) a recording counts as silence-only
SILENCE_DBFS = -60.0


_MP4_BRANDS = (b"ftyp", b"moov", b"mdat", b"wide", b"free")


class AudioError(Exception):
    """A recording that cannot be used. ``str(err)`` is one line for the batch summary."""


@dataclass
class DecodedAudio:
    #: float32 mono at ``sample_rate`` (16 kHz)
    samples: np.ndarray
    #: metadata of the SOURCE file (its own rate, channels, format, sha256)
    info: Recording
    #: (2, N) float32 at 16 kHz, only when the source has exactly two channels (diarization
    #: uses it to recognise one-voice-per-channel stereo); None otherwise
    channels: np.ndarray | None = None
    sample_rate: int = SAMPLE_RATE
    #: damage that was survived (truncation, undecodable frames), one line each
    warnings: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def is_audio_name(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def probe_duration(path: str | Path) -> float | None:
    """Duration from the container header (cheap; for ETAs). None when unknown/unreadable."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as c:
            if not c.streams.audio:
                return None
            s = c.streams.audio[0]
            if s.duration is not None and s.time_base is not None:
                return float(s.duration * s.time_base)
            if c.duration is not None:
                return c.duration / 1_000_000
    except Exception:  # noqa: BLE001 - a probe never fails; decode() explains problems
        return None
    return None


def decode(
    path: str | Path, *, sha256: str | None = None, allow_silence: bool = False
) -> DecodedAudio:
    """Decode ``path`` to 16 kHz mono float32 (plus both channels of a stereo source).

    Raises :class:`AudioError` for: a missing or unreadable file, an empty file, a file that
    is not audio (e.g. text renamed ``.mp3``), a corrupt or truncated container, a codec this
    FFmpeg cannot decode, no audio stream, zero samples, and silence-only audio (unless
    ``allow_silence``).
    """
    p = Path(path)
    head = _check_file(p)
    size = p.stat().st_size
    warnings: list[str] = []
    with _open(p, head) as container:
        if not container.streams.audio:
            kind = "a video without sound" if container.streams.video else "not audio"
            raise AudioError(f"contains no audio stream ({kind})")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        if ctx is None or not ctx.name:
            raise AudioError("unsupported audio codec: this FFmpeg build cannot decode it")
        src_rate = int(ctx.sample_rate or 0)
        src_channels = int(ctx.channels or 0)
        fmt = f"{container.format.name.split(',')[0]}/{ctx.name}"
        expected = _header_seconds(container, stream)
        stereo = src_channels == 2
        buf, n, decode_warning = _decode_stream(container, stream, expected, stereo)
        if decode_warning:
            warnings.append(decode_warning)

    if n == 0:
        raise AudioError(
            "zero-length audio: the file has an audio stream but no samples"
            if not decode_warning
            else f"no decodable audio: {decode_warning}"
        )
    duration = n / SAMPLE_RATE
    if truncated := _truncation(head, size, expected, duration):
        warnings.append(truncated)
    samples, channels = _mono(buf, n, stereo)

    peak = max(float(samples.max()), -float(samples.min()))
    if not allow_silence and peak < 10 ** (SILENCE_DBFS / 20):
        level = "-inf" if peak == 0 else f"{20 * math.log10(peak):.0f}"
        raise AudioError(
            f"silence only: {duration:.1f} s with no sound louder than {level} dBFS "
            "(muted microphone or empty recording?)"
        )

    info = Recording(
        path=str(p.resolve()),
        sha256=sha256 or sha256_file(p),
        duration=round(duration, 3),
        sample_rate=src_rate or SAMPLE_RATE,
        channels=max(src_channels, 1),
        size_bytes=size,
        format=fmt,
    )
    return DecodedAudio(samples=samples, info=info, channels=channels, warnings=warnings)


# -- helpers -------------------------------------------------------------------------------


def _open(p: Path, head: bytes) -> Any:
    """The opened container; every way that fails becomes one :class:`AudioError` line."""
    import av

    try:
        return av.open(str(p), metadata_errors="ignore")
    except PermissionError:
        raise AudioError("cannot read the file: permission denied") from None
    except av.error.FFmpegError as exc:
        raise AudioError(_explain_open_error(p, head, exc)) from None
    except OSError as exc:
        raise AudioError(f"cannot open the file: {exc.strerror or exc}") from None


def _truncation(head: bytes, size: int, expected: float | None, duration: float) -> str | None:
    """A warning when less audio was decoded than the file's header announced."""
    missing = _wav_missing_bytes(head, size)
    if missing:
        return (
            f"truncated WAV: {missing} bytes of audio announced in its header are missing; "
            f"transcribed the {duration:.1f} s that are there"
        )
    if expected and expected - duration > max(1.0, 0.02 * expected):
        return (
            f"truncated or damaged: the file header says {expected:.1f} s but only "
            f"{duration:.1f} s could be decoded; transcribed what is there"
        )
    return None


def _mono(buf: np.ndarray, n: int, stereo: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The mono mix (the mean of the two channels of a stereo source) and, for stereo, both
    channels (diarization recognises one-voice-per-channel recordings from them)."""
    if not stereo:
        return buf[0], None
    samples = np.empty(n, dtype=np.float32)
    np.add(buf[0], buf[1], out=samples)
    samples *= 0.5
    return samples, buf


def _check_file(p: Path) -> bytes:
    """Fail early with a precise reason; return the first bytes (to recognise text files)."""
    if not p.exists():
        raise AudioError("file not found")
    if p.is_dir():
        raise AudioError("is a folder, not a recording")
    if p.stat().st_size == 0:
        raise AudioError("empty file (0 bytes)")
    try:
        with open(p, "rb") as fh:
            return fh.read(4096)
    except PermissionError:
        raise AudioError(
            "cannot read the file: permission denied (fix the permissions, e.g. chmod +r)"
        ) from None
    except OSError as exc:
        raise AudioError(f"cannot read the file: {exc.strerror or exc}") from None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / max(len(text), 1) > 0.95


def _explain_open_error(p: Path, head: bytes, exc: Exception) -> str:
    if _looks_like_text(head):
        return (
            f"not audio: this is a text file (renamed to {p.suffix or 'no extension'}?)"
            if p.suffix
            else "not audio: this is a text file"
        )
    if any(b in head[:16] for b in _MP4_BRANDS) and p.suffix.lower() not in {".mkv", ".webm"}:
        return (
            "corrupt or truncated MP4/M4A: its index is missing or damaged (typical when a "
            "phone recording was interrupted); try an app that repairs MP4 files"
        )
    if head[:4] in (b"RIFF", b"fLaC", b"OggS") or head[:3] == b"ID3":
        return "corrupt or truncated audio file: FFmpeg cannot read its header"
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"not a recognisable audio file (corrupt, or a format FFmpeg cannot read: {reason})"


def _wav_missing_bytes(head: bytes, size: int) -> int:
    """Bytes a RIFF/WAVE header promises beyond the end of the file (FFmpeg does not say)."""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0
    pos = 12
    while pos + 8 <= len(head):
        chunk, length = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        if chunk == b"data":
            if length in (0, 0xFFFFFFFF):  # streaming writers leave it unset
                return 0
            return max(0, pos + 8 + length - size)
        pos += 8 + length + (length & 1)
    return 0


def _header_seconds(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _decode_stream(container, stream, expected: float | None, stereo: bool):
    """Decode + resample into a (C, N) float32 array that grows only when the header lied.

    Returns (buffer trimmed to N, N, warning or None).
    """
    import av

    nch = 2 if stereo else 1
    resampler = av.AudioResampler(
        format="fltp", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE
    )
    cap = int((expected or 600.0) * SAMPLE_RATE * 1.01) + SAMPLE_RATE
    buf = np.empty((nch, cap), dtype=np.float32)
    n = 0
    bad_frames = 0
    stop_reason: str | None = None

    def put(frames) -> None:
        nonlocal buf, n
        for frame in frames:
            a = frame.to_ndarray()  # (nch, k) float32, planar
            k = a.shape[1]
            if n + k > buf.shape[1]:
                grown = np.empty((nch, max(n + k, int(buf.shape[1] * 1.5))), dtype=np.float32)
                grown[:, :n] = buf[:, :n]
                buf = grown
            buf[:, n : n + k] = a
            n += k

    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                bad_frames += 1
                continue
            for frame in frames:
                frame.pts = None  # timestamps of damaged files confuse the resampler
                put(resampler.resample(frame))
    except av.error.FFmpegError as exc:
        stop_reason = getattr(exc, "strerror", None) or str(exc)
    put(resampler.resample(None))
    # PyAV's resampler graph is only freed by the collector (faster-whisper issue #390)
    del resampler
    gc.collect()

    warning = None
    if stop_reason:
        warning = f"decoding stopped at {n / SAMPLE_RATE:.1f} s: {stop_reason}"
    elif bad_frames:
        warning = f"{bad_frames} damaged audio packet(s) were skipped"
    # give back an over-estimated allocation
    buf = buf[:, :n].copy() if n < 0.9 * buf.shape[1] else buf[:, :n]
    return buf, n, warning
