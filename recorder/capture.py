"""Audio capture: PortAudio callback → bounded queue → writer thread → crash-safe WAV.

The callback only copies the block into a bounded queue (``put_nowait``): it never blocks,
allocates little and never touches the disk. If the writer falls so far behind that the queue is
full, the block is dropped, counted and later replaced by the same number of silent frames so
that marker times stay right. The writer thread appends to the WAV, rewrites its header and
fsyncs about once a second, watches free disk space (:mod:`.diskspace`) and the device, and
reopens a microphone that disappeared (:mod:`.stream`). Which device, and in which format, is
:mod:`.devices`; the level meter and its warnings are :mod:`.levels`.
"""

from __future__ import annotations

import contextlib
import errno
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeytape.consent import now_iso
from journeytape.presentation import clock
from journeytape.recorder.devices import Device
from journeytape.recorder.diskspace import DiskGuard
from journeytape.recorder.levels import LevelMeter
from journeytape.recorder.session import PART_NAME, SessionLog
from journeytape.recorder.stream import MicStream
from journeytape.recorder.wavfile import RIFF_LIMIT, DiskFullError, WavFormat, WavWriter

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


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


@dataclass
class _Chores:
    """When the writer last synced the WAV, saved progress and checked the disk."""

    sync: float
    progress: float = 0.0
    disk: float = 0.0

    def __post_init__(self) -> None:
        self.progress = self.disk = self.sync


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
        self.fmt = WavFormat(samplerate, channels)
        self.min_free_bytes = min_free_bytes
        self.warn_seconds_left = warn_seconds_left
        self.sync_interval = sync_interval
        self.device_timeout = device_timeout
        self.riff_limit = riff_limit
        # bounded: ~30 s of audio; beyond that blocks are dropped (and counted), never waited on
        self._q: queue.Queue[tuple[int, bytes]] = queue.Queue(
            maxsize=max(10, int(30 / block_seconds))
        )
        self._writer: WavWriter | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        blocksize = max(64, int(samplerate * block_seconds))
        self._mic = MicStream(device, self.fmt, blocksize, self._callback, self._stop)
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
        self._dropped_blocks = 0
        self._dropped_frames = 0
        self._frames_in = 0  # frames delivered by the device while armed (dropped or not)
        self._frames_out = 0  # frames the writer has accounted for (written, paused, silence)
        self._messages: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._meter = LevelMeter(self.say)
        self._disk = DiskGuard(
            self.folder,
            min_free_bytes=min_free_bytes,
            warn_seconds_left=warn_seconds_left,
            bytes_per_second=self.fmt.bytes_per_second,
            reserve_bytes=reserve_bytes,
            say=self.say,
        )

    @property
    def device(self) -> Device:
        """The microphone (after a reconnect: the same one as found again by name)."""
        return self._mic.device

    # -- controls (any thread) --------------------------------------------------------------
    def open(self) -> None:
        """Open the microphone without keeping its audio (blocks are discarded until
        :meth:`start`): the first open of a device can take a second or two to deliver."""
        if not self._mic.is_open:
            self._mic.open()

    def start(self, first_block_timeout: float = 5.0) -> None:
        """Start writing; returns once audio really flows, so 'recording' is never a lie."""
        self._disk.make_reserve()
        self._disk.check(initial=True)
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
        self.log.relabel(marker, label)

    def drop_marker(self, marker: dict[str, Any]) -> None:
        """Take back a marker (Esc at its label prompt): it is saved the moment ``m`` is
        pressed, so that a crash while typing keeps it, and removed again here."""
        self.log.remove("markers", marker)

    def tick(self, item_id: str) -> bool:
        """Toggle a checklist item; returns whether it is now ticked."""
        return self.log.toggle_tick(item_id, round(self.position, 3))

    def say(self, message: str) -> None:
        with self._lock:
            self._messages.append((time.monotonic(), message))
            del self._messages[:-20]

    def messages_since(self, since: float) -> list[tuple[float, str]]:
        with self._lock:
            return [m for m in self._messages if m[0] > since]

    def status(self) -> Status:
        """A snapshot for the live screen (messages of the last 10 s)."""
        if not self._armed and self._preview is not None:
            self._level(self._preview)
        now = time.monotonic()
        with self._lock:
            msgs = [m for t, m in self._messages if now - t < 10]
        peak_db, rms_db, clipping, no_signal = self._meter.snapshot()
        return Status(
            state=self._state,
            seconds=self.seconds,
            peak_db=peak_db,
            rms_db=rms_db,
            clipping=clipping,
            no_signal=no_signal,
            free_bytes=self._disk.free,
            seconds_left=self._disk.seconds_left,
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
        self._mic.close()
        if self._thread is not None:
            self._thread.join()
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
        self._disk.free_reserve()
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

    def _level(self, block: bytes) -> None:
        self._meter.feed(block, self._armed, lambda: self.seconds)

    def _finish(self, reason: str) -> None:
        """The writer decided to stop (disk full, fatal error): tell the main loop."""
        self.stop_reason = self.stop_reason or reason
        self._stop.set()
        self.finished.set()

    def _run(self) -> None:  # writer thread
        w = self._writer
        assert w is not None
        try:
            self._write_until_stopped(w)
        except OSError as exc:
            if not isinstance(exc, DiskFullError) and exc.errno not in _DISK_FULL:
                self._fail(w, exc)
                return
            self._disk_full_while_writing()  # the audio, or session.json beside it
        except Exception as exc:  # keep what we have and say why
            self._fail(w, exc)
        finally:
            with contextlib.suppress(Exception):
                w.sync()
                self._progress(w)

    def _write_until_stopped(self, w: WavWriter) -> None:
        """Write what the callback queued until stopped, doing the chores on the way; a device
        that stops delivering (or a stream that died) is reopened (:meth:`_reopen`)."""
        due = _Chores(time.monotonic())
        last_block = time.monotonic()
        got_block = False
        while True:
            try:
                block = self._q.get(timeout=0.1)
            except queue.Empty:
                block = None
                if self._stop.is_set():
                    self._account(w, self._frames_in)  # blocks dropped at the very end
                    return
            now = time.monotonic()
            if block is not None:
                last_block, got_block = now, True
                self._write_block(w, *block)
            if not self._chores(w, now, due):
                return
            if self._stop.is_set():
                continue  # drain what is queued, then leave
            # the first block may take a moment after (re)opening
            timeout = self.device_timeout if got_block else max(5.0, self.device_timeout)
            if self._mic.died.is_set() or now - last_block > timeout:
                w.sync()
                if not self._reopen():
                    return
                last_block, got_block = time.monotonic(), False

    def _write_block(self, w: WavWriter, start: int, data: bytes) -> None:
        """One queued block: measured, written unless paused, after silence for any dropped
        before it."""
        self._level(data)
        self._account(w, start)  # blocks dropped before this one become silence
        self._frames_out += len(data) // self.fmt.block_align
        if not self._paused_at(start):
            w.write(self._trim_to_limit(w, data))

    def _chores(self, w: WavWriter, now: float, due: _Chores) -> bool:
        """fsync about every ``sync_interval``, session.json every 5 s, the disk every second;
        False when the disk is (almost) full and recording must stop."""
        if now - due.sync >= self.sync_interval:
            w.sync()
            due.sync = now
        if now - due.progress >= 5.0:
            self._progress(w)
            due.progress = now
        if now - due.disk >= 1.0:
            due.disk = now
            if not self._disk.check():
                self._disk.free_reserve()
                self._finish("disk-full")
                return False
        return True

    def _disk_full_while_writing(self) -> None:
        self._disk.free_reserve()
        self.say(
            f"Disk full in {self.folder}: stopped recording; everything up to "
            f"{clock(self.seconds, hours=True)} is saved."
        )
        with contextlib.suppress(OSError):
            self.log.fault("disk-full", "disk full while writing", self.seconds)
        self._finish("disk-full")

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
            f"Microphone {self.device.name!r} stopped delivering audio at "
            f"{clock(t, hours=True)} into the recording. The "
            "recording so far is saved; trying to reopen it…"
        )
        self.say(msg)
        gap = self.log.append("gaps", {"t": t, "wall_start": now_iso(), "reason": "device-lost"})
        self.log.fault("device-lost", msg, t)
        back = self._mic.reconnect(self._stop, lambda: self._blocks_seen, self._disk.check)
        if back is None:
            return False
        if back:
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
