"""Audio capture: PortAudio callback → bounded queue → writer thread → crash-safe WAV.

The callback only copies the block into a bounded queue (``put_nowait``): it never blocks,
allocates little and never touches the disk. If the writer falls so far behind that the queue is
full, the block is dropped, counted and later replaced by the same number of silent frames so
that marker times stay right. The writer thread appends to the WAV, rewrites its header and
fsyncs about once a second, watches free disk space and the device, and reopens a microphone that
disappeared.
"""

from __future__ import annotations

import contextlib
import errno
import math
import queue
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeytape.consent import now_iso
from journeytape.recorder.session import PART_NAME, RESERVE_NAME, SessionLog
from journeytape.recorder.wavfile import RIFF_LIMIT, DiskFullError, WavFormat, WavWriter

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

NO_DEVICE_HELP = (
    "No microphone found: the audio system reports no input device. Plug in or enable a "
    "microphone, check that the sound server (PulseAudio/PipeWire) is running and that this "
    "user may use audio, then try again. `journeytape record --list-devices` shows what is "
    "available."
)


class RecorderError(RuntimeError):
    """A fault worded for the interviewer (printed without a traceback)."""


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    default_samplerate: float
    is_default: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "hostapi": self.hostapi,
            "max_input_channels": self.max_input_channels,
            "default_samplerate": self.default_samplerate,
        }


def _sd():
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio2 missing
        raise RecorderError(
            f"PortAudio is not installed ({exc}); on Debian/Ubuntu: "
            "sudo apt-get install libportaudio2"
        ) from None
    return sd


def refresh_devices() -> None:
    """Make PortAudio enumerate devices again (it only does so at initialisation), so a
    microphone plugged in after start-up is found."""
    sd = _sd()
    with contextlib.suppress(Exception):
        sd._terminate()
    sd._initialize()


def list_input_devices() -> list[Device]:
    sd = _sd()
    try:
        default_in = sd.default.device[0]
        if default_in is None or default_in < 0:
            default_in = sd.query_hostapis(0)["default_input_device"]
    except Exception:
        default_in = -1
    apis = sd.query_hostapis()
    out = []
    for d in sd.query_devices():
        if d["max_input_channels"] > 0:
            out.append(
                Device(
                    index=d["index"],
                    name=d["name"],
                    hostapi=apis[d["hostapi"]]["name"],
                    max_input_channels=d["max_input_channels"],
                    default_samplerate=d["default_samplerate"],
                    is_default=d["index"] == default_in,
                )
            )
    return out


def resolve_device(spec: str | int | None = None) -> Device:
    """The input device by index, by (part of its) name, or the system default."""
    devices = list_input_devices()
    if not devices:
        raise RecorderError(NO_DEVICE_HELP)
    if spec is None or spec == "":
        for d in devices:
            if d.is_default:
                return d
        for d in devices:
            if d.name == "default":
                return d
        return devices[0]
    if isinstance(spec, int) or str(spec).isdigit():
        idx = int(spec)
        for d in devices:
            if d.index == idx:
                return d
        raise RecorderError(
            f"no input device with index {idx}; input devices are: "
            + ", ".join(f"{d.index} {d.name!r}" for d in devices)
        )
    exact = [d for d in devices if d.name == spec]
    if exact:
        return exact[0]
    partial = [d for d in devices if str(spec).lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    names = ", ".join(f"{d.index} {d.name!r}" for d in (partial or devices))
    if partial:
        raise RecorderError(f"{spec!r} matches several input devices: {names}; use the index")
    raise RecorderError(f"no input device named {spec!r}; input devices are: {names}")


def choose_format(dev: Device, samplerate: int | None, channels: int | None) -> tuple[int, int]:
    """A sample rate and channel count the device accepts: the ones asked for if it can do
    them, else its own default rate and mono (speech needs no more)."""
    sd = _sd()
    ch = min(channels or 1, dev.max_input_channels)
    candidates = [samplerate] if samplerate else []
    candidates += [int(dev.default_samplerate), 48000, 44100, 16000]
    for rate in candidates:
        try:
            sd.check_input_settings(device=dev.index, samplerate=rate, channels=ch, dtype="int16")
        except Exception:
            continue
        if samplerate and rate != samplerate:
            raise RecorderError(
                f"device {dev.name!r} cannot record at {samplerate} Hz; try "
                f"--rate {int(dev.default_samplerate)}"
            )
        return int(rate), ch
    raise RecorderError(f"device {dev.name!r} accepts none of the usual sample rates")


def _clock(seconds: float) -> str:
    """A position in the recording as h:mm:ss, so it never reads like a duration."""
    s = int(seconds)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


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


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -120.0


@dataclass
class Status:
    """A snapshot for the live screen."""

    state: str  # "ready" | "recording" | "paused" | "device-lost" | "stopped"
    seconds: float
    peak_db: float
    rms_db: float
    clipping: bool
    no_signal: bool
    free_bytes: int
    seconds_left: float
    input_overflows: int
    dropped_frames: int
    gaps: int
    messages: list[str] = field(default_factory=list)


class Recorder:
    """Runs one capture into ``<folder>/recording.wav.part``; thread-safe controls."""

    def __init__(
        self,
        log: SessionLog,
        device: Device,
        samplerate: int,
        channels: int,
        *,
        min_free_bytes: int = 50 * 2**20,
        warn_seconds_left: float = 600.0,
        block_seconds: float = 0.1,
        sync_interval: float = 1.0,
        reserve_bytes: int = 2**20,
        device_timeout: float = 2.0,
        riff_limit: int = RIFF_LIMIT,
        max_seconds: float | None = None,
        offset_frames: int = 0,
    ):
        self.log = log
        #: audio already in the session from earlier parts (``--resume``): every time this
        #: recorder reports (markers, ticks, pauses, gaps, messages) counts from the session's
        #: start, not from this part's
        self.offset_frames = offset_frames
        #: stop after exactly this much audio (``--duration``)
        self.max_frames = None if max_seconds is None else int(round(max_seconds * samplerate))
        self.folder: Path = log.folder
        self.device = device
        self.fmt = WavFormat(samplerate, channels)
        self.min_free_bytes = min_free_bytes
        self.warn_seconds_left = warn_seconds_left
        self.blocksize = max(64, int(samplerate * block_seconds))
        self.sync_interval = sync_interval
        self.reserve_bytes = reserve_bytes
        self.device_timeout = device_timeout
        self.riff_limit = riff_limit
        # bounded: ~30 s of audio; beyond that blocks are dropped (and counted), never waited on
        self._q: queue.Queue[tuple[int, bytes]] = queue.Queue(
            maxsize=max(10, int(30 / block_seconds))
        )
        self._stream = None
        self._writer: WavWriter | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stream_died = threading.Event()
        #: set when the recorder stopped by itself (disk full, fatal error); see ``stop_reason``
        self.finished = threading.Event()
        self.stop_reason: str | None = None
        self._closed = False
        self._paused = False
        #: pauses in device frames: [first paused frame, first frame after resume or None]
        self._pauses: list[list[int | None]] = []
        self._state = "ready"
        self._input_overflows = 0
        self._blocks_seen = 0
        self._armed = False
        self._preview: bytes | None = None
        self._last_disk_warning = -1e9
        self._dropped_blocks = 0
        self._dropped_frames = 0
        self._frames_in = 0  # frames delivered by the device while armed (dropped or not)
        self._frames_out = 0  # frames the writer has accounted for (written, paused, silence)
        self._peak = 0
        self._rms = 0.0
        self._last_clip = -1e9
        self._quiet_since: float | None = None
        self._quiet_warned = False
        self._free = shutil.disk_usage(self.folder).free
        self._messages: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    # -- controls (any thread) --------------------------------------------------------------
    def open(self) -> None:
        """Open the microphone without keeping its audio (blocks are discarded until
        :meth:`start`): the first open of a device can take a second or two to deliver."""
        if self._stream is None:
            self._open_stream()

    def start(self, first_block_timeout: float = 5.0) -> None:
        """Start writing; returns once audio really flows, so 'recording' is never a lie."""
        self._make_reserve()
        self._check_disk(initial=True)
        self.open()
        deadline = time.monotonic() + first_block_timeout
        while self._blocks_seen == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._blocks_seen == 0:
            self.say(f"Microphone {self.device.name!r} delivers no audio yet; waiting for it…")
        self._writer = WavWriter(self.folder / PART_NAME, self.fmt, self.riff_limit)
        self._armed = True
        self.log.update(
            status="recording",
            started=now_iso(),
            device=self.device.to_json(),
            samplerate=self.fmt.samplerate,
            channels=self.fmt.channels,
        )
        self._state = "recording"
        self._thread = threading.Thread(target=self._run, name="journeytape-writer", daemon=True)
        self._thread.start()

    @property
    def part_seconds(self) -> float:
        """Audio written by this recorder (``--duration`` counts this)."""
        return self._writer.seconds if self._writer else 0.0

    @property
    def seconds(self) -> float:
        """Audio in the session so far, earlier parts included."""
        return self.offset_frames / self.fmt.samplerate + self.part_seconds

    @property
    def audio_path(self) -> Path:
        """Where the audio goes while recording (shown on the live screen)."""
        return self.folder / PART_NAME

    @property
    def position(self) -> float:
        """Where in the audio 'now' is: written audio plus what waits in the queue (about
        0.1 s), so a marker lands on the moment the key was pressed."""
        upto = self._pauses[-1][0] if self._paused else self._frames_in
        return self.seconds + max(0, upto - self._frames_out) / self.fmt.samplerate

    def pause(self) -> None:
        """Pause from this very frame on (what was captured before the key press is kept)."""
        with self._lock:
            if self._paused or self._state != "recording":
                return
            t = self.position
            self._pauses.append([self._frames_in, None])
            self._paused = True
            self._state = "paused"
        self.log.append("pauses", {"t": round(t, 3), "wall_start": now_iso()})

    def resume(self) -> None:
        with self._lock:
            if not self._paused:
                return
            self._pauses[-1][1] = self._frames_in
            self._paused = False
            self._state = "recording"
        with self.log._lock:
            if self.log.data["pauses"]:
                self.log.data["pauses"][-1]["wall_end"] = now_iso()
            self.log.save()

    def marker(self, label: str = "") -> dict[str, Any]:
        return self.log.append(
            "markers", {"t": round(self.position, 3), "wall": now_iso(), "label": label}
        )

    def label_marker(self, marker: dict[str, Any], label: str) -> None:
        with self.log._lock:
            marker["label"] = label
            self.log.save()

    def drop_marker(self, marker: dict[str, Any]) -> None:
        """Take back a marker (Esc at its label prompt): it is saved the moment ``m`` is
        pressed, so that a crash while typing keeps it, and removed again here."""
        with self.log._lock:
            marks = self.log.data.get("markers", [])
            for i, m in enumerate(marks):
                if m is marker:
                    del marks[i]
                    break
            self.log.save()

    def tick(self, item_id: str) -> bool:
        """Toggle a checklist item; returns whether it is now ticked."""
        with self.log._lock:
            for it in self.log.data["checklist"]:
                if it["id"] == item_id:
                    if it.get("ticked_at") is None:
                        it["ticked_at"] = round(self.position, 3)
                        it["ticked_wall"] = now_iso()
                    else:
                        it["ticked_at"] = it["ticked_wall"] = None
                    self.log.save()
                    return it["ticked_at"] is not None
        raise KeyError(item_id)

    def say(self, message: str) -> None:
        with self._lock:
            self._messages.append((time.monotonic(), message))
            del self._messages[:-20]

    def messages_since(self, since: float) -> list[tuple[float, str]]:
        with self._lock:
            return [m for m in self._messages if m[0] > since]

    def status(self) -> Status:
        if not self._armed and self._preview is not None:
            self._level(self._preview)
        now = time.monotonic()
        bps = self.fmt.bytes_per_second
        left = max(0, self._free - self.min_free_bytes) / bps
        with self._lock:
            msgs = [m for t, m in self._messages if now - t < 10]
        return Status(
            state=self._state,
            seconds=self.seconds,
            peak_db=_db(self._peak / 32768),
            rms_db=_db(self._rms / 32768),
            clipping=now - self._last_clip < 2.0,
            no_signal=self._quiet_since is not None and now - self._quiet_since > 3.0,
            free_bytes=self._free,
            seconds_left=left,
            input_overflows=self._input_overflows,
            dropped_frames=self._dropped_frames,
            gaps=len(self.log.data.get("gaps", [])),
            messages=msgs,
        )

    def stop(self, reason: str = "user") -> None:
        """Stop capture, write everything queued and close the WAV with an exact header
        (:func:`~journeytape.recorder.session.close_session` then names it). Idempotent; safe
        from any thread except the writer."""
        if self._closed:
            return
        self._closed = True
        self.stop_reason = self.stop_reason or reason
        self._stop.set()
        self._close_stream()
        if self._thread is not None:
            self._thread.join()
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
        with contextlib.suppress(FileNotFoundError):
            (self.folder / RESERVE_NAME).unlink()
        self._state = "stopped"
        with self.log._lock:
            if self._paused and self.log.data["pauses"]:
                self.log.data["pauses"][-1].setdefault("wall_end", now_iso())
            self.log.data["overflows"] = self._overflow_json()
            self.log.data["stopped_by"] = self.stop_reason
            self.log.data["ended"] = now_iso()

    # -- internals ----------------------------------------------------------------------------
    def _overflow_json(self) -> dict[str, int]:
        return {
            "input_overflows": self._input_overflows,
            "dropped_blocks": self._dropped_blocks,
            "dropped_frames": self._dropped_frames,
        }

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        self._blocks_seen += 1
        if not self._armed:
            self._preview = bytes(indata)  # for the level meter before recording starts
            return
        if status.input_overflow:
            self._input_overflows += 1
        start = self._frames_in
        self._frames_in += frames
        try:
            self._q.put_nowait((start, bytes(indata)))
        except queue.Full:
            self._dropped_blocks += 1
            self._dropped_frames += frames

    def _on_finished(self) -> None:  # PortAudio thread: the stream ended
        if not self._stop.is_set():
            self._stream_died.set()

    def _open_stream(self) -> None:
        sd = _sd()
        self._stream_died.clear()
        try:
            stream = sd.RawInputStream(
                device=self.device.index,
                samplerate=self.fmt.samplerate,
                channels=self.fmt.channels,
                dtype="int16",
                blocksize=self.blocksize,
                # "high" made the ALSA pulse plugin start late and drop the first second here
                latency="low",
                callback=self._callback,
                finished_callback=self._on_finished,
            )
            stream.start()
        except sd.PortAudioError as exc:
            text = str(exc)
            if "-1" in text and "query" in text.lower():
                raise RecorderError(NO_DEVICE_HELP) from None
            if "permission" in text.lower() or "busy" in text.lower():
                raise RecorderError(
                    f"cannot open microphone {self.device.name!r}: {text}. Another program may "
                    "hold it, or this user may not use audio devices (group 'audio')."
                ) from None
            raise RecorderError(f"cannot open microphone {self.device.name!r}: {text}") from None
        self._stream = stream

    def _close_stream(self, timeout: float = 3.0) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return

        def _close() -> None:
            with contextlib.suppress(Exception):
                stream.abort()
            with contextlib.suppress(Exception):
                stream.close()

        t = threading.Thread(target=_close, daemon=True)
        t.start()
        t.join(timeout)  # a wedged driver must not hang the recorder: the writer goes on

    def _make_reserve(self) -> None:
        """Keep a little space back so that a full disk still lets us close the files."""
        import os

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

    def _free_reserve(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / RESERVE_NAME).unlink()

    def _check_disk(self, initial: bool = False) -> bool:
        """Update free space; return False when recording must stop."""
        try:
            self._free = shutil.disk_usage(self.folder).free
        except OSError:
            return True
        if self._free < self.min_free_bytes:
            msg = f"Disk almost full ({self._free / 2**20:.1f} MiB free in {self.folder}): " + (
                "not starting. Free some space or record elsewhere with --out."
                if initial
                else "stopped recording; everything so far is saved."
            )
            if initial:
                raise RecorderError(msg)
            self.say(msg)
            return False
        left = (self._free - self.min_free_bytes) / self.fmt.bytes_per_second
        now = time.monotonic()
        if left < self.warn_seconds_left and now - self._last_disk_warning > 60:
            self._last_disk_warning = now
            self.say(
                f"Disk space for only {fmt_left(left)} more of audio in {self.folder}; "
                "the recording stops cleanly before the disk is full."
            )
        return True

    def _level(self, block: bytes) -> None:
        import numpy as np

        x = np.frombuffer(block, dtype="<i2")
        if x.size == 0:
            return
        peak = int(np.abs(x.astype(np.int32)).max())
        rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
        now = time.monotonic()
        self._peak, self._rms = peak, rms
        if peak >= 32700:
            if self._armed and now - self._last_clip > 10:
                self.say(
                    f"CLIPPING at {_clock(self.seconds)} into the recording: the input hits "
                    "full scale; move the microphone away or lower its gain."
                )
            self._last_clip = now
        if rms < 32768 * 10 ** (-60 / 20):  # below -60 dBFS
            if self._quiet_since is None:
                self._quiet_since, self._quiet_warned = now, False
            elif self._armed and not self._quiet_warned and now - self._quiet_since > 5:
                self._quiet_warned = True
                self.say(
                    f"NO SIGNAL for {now - self._quiet_since:.0f} s, since "
                    f"{_clock(max(0.0, self.seconds - (now - self._quiet_since)))} into the "
                    "recording: is the microphone on, unmuted and the right one "
                    "(--list-devices)?"
                )
        else:
            self._quiet_since = None

    def _finish(self, reason: str) -> None:
        """The writer decided to stop (disk full, fatal error): tell the main loop."""
        self.stop_reason = self.stop_reason or reason
        self._stop.set()
        self.finished.set()

    def _run(self) -> None:  # writer thread
        w = self._writer
        assert w is not None
        last_sync = last_progress = last_disk = time.monotonic()
        last_block = time.monotonic()
        got_block = False
        try:
            while True:
                try:
                    block = self._q.get(timeout=0.1)
                except queue.Empty:
                    block = None
                    if self._stop.is_set():
                        self._account(w, self._frames_in)  # blocks dropped at the very end
                        break
                now = time.monotonic()
                if block is not None:
                    last_block = now
                    got_block = True
                    start, data = block
                    self._level(data)
                    self._account(w, start)  # blocks dropped before this one become silence
                    self._frames_out += len(data) // self.fmt.block_align
                    if not self._paused_at(start):
                        w.write(self._trim_to_limit(w, data))
                if now - last_sync >= self.sync_interval:
                    w.sync()
                    last_sync = now
                if now - last_progress >= 5.0:
                    self._progress(w)
                    last_progress = now
                if now - last_disk >= 1.0:
                    last_disk = now
                    if not self._check_disk():
                        self._free_reserve()
                        self._finish("disk-full")
                        break
                if self._stop.is_set():
                    continue  # drain what is queued, then leave
                # the first block may take a moment after (re)opening
                timeout = self.device_timeout if got_block else max(5.0, self.device_timeout)
                if self._stream_died.is_set() or now - last_block > timeout:
                    w.sync()
                    if not self._reopen():
                        break
                    last_block = time.monotonic()
                    got_block = False
        except OSError as exc:
            if not isinstance(exc, DiskFullError) and exc.errno not in _DISK_FULL:
                self._fail(w, exc)
                return
            # the audio, or session.json beside it, hit a full disk
            self._free_reserve()
            self.say(
                f"Disk full in {self.folder}: stopped recording; everything up to "
                f"{_clock(self.seconds)} is saved."
            )
            with contextlib.suppress(OSError):
                self.log.fault("disk-full", "disk full while writing", self.seconds)
            self._finish("disk-full")
        except Exception as exc:  # keep what we have and say why
            self._fail(w, exc)
        finally:
            with contextlib.suppress(Exception):
                w.sync()
                self._progress(w)

    def _fail(self, w: WavWriter, exc: BaseException) -> None:
        with contextlib.suppress(Exception):
            w.sync()
        self.say(f"Recording stopped by an error: {exc}")
        with contextlib.suppress(Exception):
            self.log.fault("error", repr(exc), self.seconds)
        self._finish("error")

    def _trim_to_limit(self, w: WavWriter, data: bytes) -> bytes:
        """With ``max_seconds`` the file ends on exactly that frame (``--duration``)."""
        if self.max_frames is None:
            return data
        room = self.max_frames - w.frames
        if room * self.fmt.block_align >= len(data):
            return data
        if not self.finished.is_set():
            self._finish("duration")
        return data[: max(0, room) * self.fmt.block_align]

    def _account(self, w: WavWriter, upto: int) -> None:
        """Write silence for frames the callback had to drop, where they were dropped, so the
        timeline (and every marker time) stays true."""
        missing = upto - self._frames_out
        if missing > 0:
            if not self._paused_at(self._frames_out):
                w.write(self._trim_to_limit(w, bytes(missing * self.fmt.block_align)))
            self._frames_out += missing

    def _paused_at(self, frame: int) -> bool:
        """Was the recording paused when the device delivered ``frame``?"""
        with self._lock:
            for start, end in reversed(self._pauses):
                if frame >= start:
                    return end is None or frame < end
        return False

    def _progress(self, w: WavWriter) -> None:
        with self.log._lock:
            self.log.data["audio"].update(
                frames=w.frames, seconds=round(w.seconds, 3), container=w.container
            )
            self.log.data["overflows"] = self._overflow_json()
            self.log.save()

    def _reopen(self) -> bool:
        """The microphone stopped delivering audio: keep the file, note a gap, and try to open
        the same device (by name) again until it works or the user stops."""
        t = round(self.seconds, 3)
        self._state = "device-lost"
        msg = (
            f"Microphone {self.device.name!r} stopped delivering audio at {_clock(t)} into the "
            "recording. The "
            "recording so far is saved; trying to reopen it…"
        )
        self.say(msg)
        gap = self.log.append("gaps", {"t": t, "wall_start": now_iso(), "reason": "device-lost"})
        self.log.fault("device-lost", msg, t)
        self._close_stream()
        while not self._stop.wait(1.0):
            try:
                refresh_devices()
                self.device = resolve_device(self.device.name)
                seen = self._blocks_seen
                self._open_stream()
            except Exception:
                self._check_disk()
                continue
            deadline = time.monotonic() + 5.0
            while self._blocks_seen == seen and time.monotonic() < deadline:
                if self._stop.wait(0.01):
                    return False
            if self._blocks_seen == seen:  # opened but silent: try again
                self._close_stream()
                continue
            with self.log._lock:
                gap["wall_end"] = now_iso()
                self.log.save()
            self._state = "paused" if self._paused else "recording"
            self.say(f"Microphone {self.device.name!r} is back; recording goes on.")
            return True
        with self.log._lock:  # stopped while the microphone was still gone
            gap["wall_end"] = now_iso()
            gap["until_stop"] = True
            self.log.save()
        return False
