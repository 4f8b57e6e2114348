"""Speakers of a stereo recording with one voice per channel (a phone call, two lavalier
microphones): detected from channel levels and split by channel, exact and much cheaper than
clustering. Split out of ``diarize`` (which re-exports it) to keep modules short (#16).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from journeytape.transcribe.merge import Diarization, Turn

SAMPLE_RATE = 16000

#: analysis frame for channel activity (seconds)
_FRAME = 0.02
#: a channel "dominates" a frame when it is this much louder than the other (dB)
_DOMINANCE_DB = 10.0


def _frame_db(x: np.ndarray, hop: int) -> np.ndarray:
    n = len(x) // hop
    frames = x[: n * hop].reshape(n, hop).astype(np.float64)
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-10)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the True runs of a boolean array."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def _smooth(mask: np.ndarray, fill_gap: int, min_run: int) -> np.ndarray:
    out = mask.copy()
    for a, b in _runs(~out):
        if a > 0 and b < len(out) and b - a <= fill_gap:
            out[a:b] = True
    for a, b in _runs(out):
        if b - a < min_run:
            out[a:b] = False
    return out


def channel_activity(channels: np.ndarray, sample_rate: int = SAMPLE_RATE) -> dict[str, Any]:
    """Per-channel speech activity and how separate the two channels are.

    Returns ``{"separate": bool, "active": (2, frames) bool, "share_dominant": float, ...}``.
    Two channels carry one voice each when, over the frames where anybody speaks, one channel
    is clearly louder than the other most of the time, and each channel leads some of the time
    (a mono recording saved as stereo, or one stereo microphone, has near-equal channels).
    """
    hop = int(_FRAME * sample_rate)
    db = np.stack([_frame_db(channels[c], hop) for c in range(2)])
    loud = db.max(axis=0)
    if loud.size == 0:
        return {"separate": False, "reason": "empty"}
    # speech threshold relative to each channel's own level (noise floor and peaks)
    thr = [max(np.percentile(d, 10) + 15.0, np.percentile(d, 99) - 40.0) for d in db]
    diff = db[0] - db[1]
    anyone = (db[0] > thr[0]) | (db[1] > thr[1])
    n_active = int(anyone.sum())
    if n_active < int(1.0 / _FRAME):
        return {"separate": False, "reason": "less than 1 s of activity"}
    dom0 = anyone & (diff > _DOMINANCE_DB)
    dom1 = anyone & (-diff > _DOMINANCE_DB)
    share = float((dom0.sum() + dom1.sum()) / n_active)
    lead = (float(dom0.sum() / n_active), float(dom1.sum() / n_active))
    separate = share >= 0.6 and min(lead) >= 0.05
    # a channel speaks where it is active by its own threshold and not merely the other
    # voice leaking in (crosstalk is far quieter than the voice on its own microphone)
    active = np.stack(
        [_smooth((db[c] > thr[c]) & (db[c] > db[1 - c] - _DOMINANCE_DB), 15, 10) for c in range(2)]
    )
    return {
        "separate": separate,
        "share_dominant": round(share, 3),
        "lead": [round(v, 3) for v in lead],
        "active": active,
        "frame": _FRAME,
    }


def diarize_channels(channels: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Diarization | None:
    """Speakers from channels when a stereo file has one voice per channel, else None."""
    if channels is None or channels.ndim != 2 or channels.shape[0] != 2:
        return None
    info = channel_activity(channels, sample_rate)
    if not info.get("separate"):
        return None
    active = info["active"]
    names = ("SPEAKER_00", "SPEAKER_01")
    turns = [
        Turn(round(a * _FRAME, 3), round(b * _FRAME, 3), names[c])
        for c in range(2)
        for a, b in _runs(active[c])
    ]
    turns.sort(key=lambda t: (t.start, t.speaker))
    # exclusive: where both talk, the louder channel's speaker
    excl_mask = active.copy()
    both = active[0] & active[1]
    hop = int(_FRAME * sample_rate)
    db = np.stack([_frame_db(channels[c], hop) for c in range(2)])
    louder0 = db[0] >= db[1]
    excl_mask[0] &= ~both | louder0
    excl_mask[1] &= ~both | ~louder0
    exclusive = [
        Turn(round(a * _FRAME, 3), round(b * _FRAME, 3), names[c])
        for c in range(2)
        for a, b in _runs(excl_mask[c])
    ]
    exclusive.sort(key=lambda t: (t.start, t.speaker))
    details = {
        "channel_map": {"SPEAKER_00": "left (channel 1)", "SPEAKER_01": "right (channel 2)"},
        "share_dominant": info["share_dominant"],
        "lead": info["lead"],
    }
    return Diarization(turns, exclusive, "stereo-channels", details=details)
