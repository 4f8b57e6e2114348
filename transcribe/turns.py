"""Turn smoothing: from pyannote's frame-tight speech regions to "who spoke when" turns.

pyannote's segmentation marks speech to the frame: every breath pause inside an answer cuts
the speaker's turn in two, and a turn starts at the first voiced frame. People (and every
reference annotation, e.g. the utterance-level RTTM of ``ls_dialogue_dev_*``) mean by a turn
the whole stretch a person holds the floor. So, per speaker:

* gaps shorter than ``fill_gap`` between two turns of the same speaker are filled, unless
  someone else speaks in the gap (then it is a real exchange, e.g. a quick "yes");
* each turn is widened by ``pad`` seconds on both sides into silence only (never into another
  speaker's turn, at most half of a silence shared with one), which covers the soft onsets
  and endings the segmentation cuts off.

Values tuned jointly on ``ls_dialogue_dev_*`` and the AMI training excerpts
(``bench/diarization_count.py --tune``; docs/speakers.md). Pure Python.
"""

from __future__ import annotations

from journeytape.transcribe.merge import Turn


def _others_union(turns: list[Turn], speaker: str) -> list[tuple[float, float]]:
    spans = sorted((t.start, t.end) for t in turns if t.speaker != speaker)
    out: list[list[float]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _busy(others: list[tuple[float, float]], a: float, b: float) -> bool:
    return any(x < b and y > a for x, y in others)


def _free_before(others: list[tuple[float, float]], t: float, pad: float) -> float:
    """How far before ``t`` a turn may extend: ``pad`` at most, never into another speaker's
    turn, and only half of a silence that another speaker's turn ends in (who owns a short
    silence between two people is unknown, and both widening into it would invent overlap)."""
    limit = t - pad
    for x, y in others:
        if x < t < y:
            return t
        if t - 2 * pad < y <= t:  # both sides widen: split the silence
            limit = max(limit, 0.5 * (y + t))
    return min(limit, t)


def _free_after(others: list[tuple[float, float]], t: float, pad: float) -> float:
    limit = t + pad
    for x, y in others:
        if x < t < y:
            return t
        if t <= x < t + 2 * pad:
            limit = min(limit, 0.5 * (t + x))
    return max(limit, t)


def smooth_turns(
    turns: list[Turn], *, fill_gap: float = 0.0, pad: float = 0.0, duration: float | None = None
) -> list[Turn]:
    """Fill short same-speaker gaps and widen turns into silence (see module docstring)."""
    if not turns or (fill_gap <= 0 and pad <= 0):
        return list(turns)
    out: list[Turn] = []
    for spk in sorted({t.speaker for t in turns}):
        others = _others_union(turns, spk)
        own = sorted((t for t in turns if t.speaker == spk), key=lambda t: t.start)
        merged: list[list[float]] = []
        for t in own:
            gap = t.start - merged[-1][1] if merged else float("inf")
            if gap <= 0 or (gap < fill_gap and not _busy(others, merged[-1][1], t.start)):
                merged[-1][1] = max(merged[-1][1], t.end)
            else:
                merged.append([t.start, t.end])
        for a, b in merged:
            if pad > 0:
                a, b = _free_before(others, a, pad), _free_after(others, b, pad)
            a = max(0.0, a)
            b = min(duration, b) if duration is not None else b
            out.append(Turn(round(a, 3), round(b, 3), spk))
    # widening can make a speaker's neighbouring turns touch: join them
    return _join_touching(sorted(out, key=lambda t: (t.start, t.speaker)))


def _join_touching(turns: list[Turn]) -> list[Turn]:
    last: dict[str, int] = {}
    out: list[Turn] = []
    for t in turns:
        i = last.get(t.speaker)
        if i is not None and t.start <= out[i].end:
            out[i] = Turn(out[i].start, max(out[i].end, t.end), t.speaker)
            continue
        last[t.speaker] = len(out)
        out.append(t)
    return out
