"""The microphone stream: open a PortAudio input stream whose callback feeds the recorder, and
close it without ever hanging the recorder on a wedged driver.

Kept apart from :mod:`journeytape.recorder.capture` so that the writer there deals only with
blocks and files; the one thing it needs from here is :attr:`MicStream.died` (the stream ended
while nobody asked it to), which starts the reconnect.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from journeytape.recorder.devices import (
    NO_DEVICE_HELP,
    Device,
    RecorderError,
    portaudio,
    refresh_devices,
    resolve_device,
)
from journeytape.recorder.wavfile import WavFormat


class MicStream:
    """One device's raw int16 input stream, reopened as often as the device comes and goes."""

    def __init__(
        self,
        device: Device,
        fmt: WavFormat,
        blocksize: int,
        callback: Callable[..., None],
        stopping: threading.Event,
    ) -> None:
        self.device = device
        self.fmt = fmt
        self.blocksize = blocksize
        self._callback = callback
        #: set by the recorder when it stops: a stream that ends then did not die
        self._stopping = stopping
        #: the stream ended by itself (device unplugged, server gone)
        self.died = threading.Event()
        self._stream = None

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    def _on_finished(self) -> None:  # PortAudio thread: the stream ended
        if not self._stopping.is_set():
            self.died.set()

    def open(self) -> None:
        """Open and start the stream; PortAudio's errors become messages for the interviewer."""
        sd = portaudio()
        self.died.clear()
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
            raise _open_error(self.device, str(exc)) from None
        self._stream = stream

    def close(self, timeout: float = 3.0) -> None:
        """Abort and close in a helper thread waited on for ``timeout`` seconds at most."""
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

    def reconnect(
        self,
        stop: threading.Event,
        blocks_seen: Callable[[], int],
        on_miss: Callable[[], object],
    ) -> bool | None:
        """Close, then about every second look for the device again by name and open it,
        until it delivers blocks (True) or ``stop`` is set: False while the device was still
        missing, None while a reopened one had not delivered yet. ``blocks_seen`` counts the
        callback's blocks; ``on_miss`` runs after each failed attempt (the recorder checks the
        disk, which the writer cannot do meanwhile)."""
        self.close()
        while not stop.wait(1.0):
            try:
                refresh_devices()
                self.device = resolve_device(self.device.name)
                seen = blocks_seen()
                self.open()
            except Exception:
                on_miss()
                continue
            deadline = time.monotonic() + 5.0
            while blocks_seen() == seen and time.monotonic() < deadline:
                if stop.wait(0.01):
                    return None
            if blocks_seen() == seen:  # opened but silent: try again
                self.close()
                continue
            return True
        return False


def _open_error(device: Device, text: str) -> RecorderError:
    """What went wrong opening ``device``, worded for the interviewer."""
    if "-1" in text and "query" in text.lower():
        return RecorderError(NO_DEVICE_HELP)
    if "permission" in text.lower() or "busy" in text.lower():
        return RecorderError(
            f"cannot open microphone {device.name!r}: {text}. Another program may "
            "hold it, or this user may not use audio devices (group 'audio')."
        )
    return RecorderError(f"cannot open microphone {device.name!r}: {text}")
