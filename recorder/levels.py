"""The input level and the two warnings an interviewer must see at once: clipping and no signal.

Fed every block by the writer thread (and the preview block before recording starts); the live
screen reads :meth:`LevelMeter.snapshot`. Positions in messages read as ``h:mm:ss`` into the
recording, so they never look like durations.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from journeytape.presentation import clock

#: int16 full scale, and the level under which the input counts as silent (-60 dBFS)
FULL_SCALE = 32768
QUIET_RMS = FULL_SCALE * 10 ** (-60 / 20)


def db(x: float) -> float:
    """Decibels of a ratio to full scale (-120 for nothing at all)."""
    return 20 * math.log10(x) if x > 0 else -120.0


class LevelMeter:
    """Peak and RMS of the newest block; says CLIPPING (at most every 10 s) and NO SIGNAL
    (after 5 s of silence, once per quiet stretch) while recording."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self.peak = 0
        self.rms = 0.0
        self._last_clip = -1e9
        self._quiet_since: float | None = None
        self._quiet_warned = False

    def feed(self, block: bytes, armed: bool, seconds: Callable[[], float]) -> None:
        """Measure one int16 block; ``armed``: recording (warnings only then); ``seconds``:
        where the recording is now."""
        import numpy as np

        x = np.frombuffer(block, dtype="<i2")
        if x.size == 0:
            return
        peak = int(np.abs(x.astype(np.int32)).max())
        rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
        now = time.monotonic()
        self.peak, self.rms = peak, rms
        if peak >= 32700:
            if armed and now - self._last_clip > 10:
                self._say(
                    f"CLIPPING at {clock(seconds(), hours=True)} into the recording: the input "
                    "hits full scale; move the microphone away or lower its gain."
                )
            self._last_clip = now
        if rms < QUIET_RMS:
            self._quiet(now, armed, seconds)
        else:
            self._quiet_since = None

    def _quiet(self, now: float, armed: bool, seconds: Callable[[], float]) -> None:
        if self._quiet_since is None:
            self._quiet_since, self._quiet_warned = now, False
        elif armed and not self._quiet_warned and now - self._quiet_since > 5:
            self._quiet_warned = True
            since = max(0.0, seconds() - (now - self._quiet_since))
            self._say(
                f"NO SIGNAL for {now - self._quiet_since:.0f} s, since "
                f"{clock(since, hours=True)} into the "
                "recording: is the microphone on, unmuted and the right one "
                "(--list-devices)?"
            )

    def snapshot(self) -> tuple[float, float, bool, bool]:
        """(peak dBFS, RMS dBFS, clipping in the last 2 s, silent for more than 3 s)."""
        now = time.monotonic()
        return (
            db(self.peak / FULL_SCALE),
            db(self.rms / FULL_SCALE),
            now - self._last_clip < 2.0,
            self._quiet_since is not None and now - self._quiet_since > 3.0,
        )
