"""Which microphone: PortAudio's input devices, found by index or name, and a format they take.

Only queries: nothing here opens a stream, so ``record`` can refuse a missing or unsuitable
microphone before anyone is asked for consent. sounddevice loads on first use (``--help`` stays
instant, and a missing libportaudio2 becomes a :class:`RecorderError` with the fix).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

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
    """One input device as PortAudio lists it (``to_json`` is what session.json keeps)."""

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


def portaudio():
    """sounddevice, loaded on first use; a missing libportaudio2 is a :class:`RecorderError`."""
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
    sd = portaudio()
    with contextlib.suppress(Exception):
        sd._terminate()
    sd._initialize()


def list_input_devices() -> list[Device]:
    """Every device with input channels, the system default marked."""
    sd = portaudio()
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
    sd = portaudio()
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
