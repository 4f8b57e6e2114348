"""Speech the batched decoder skipped, decoded again on its own.

faster-whisper's batched pipeline glues VAD speech pieces together, without the silences
between them, into 30 s windows and decodes each window as one utterance. When a short turn
of another voice sits inside such a window (an interviewer's question between two long
answers), Whisper often leaves it out entirely: on ``ls_dialogue_dev_mf`` (153 s) three of the
interviewer's questions ("What had happened to me?", 36.9-39.5 s) were missing from the
transcript, while the sequential decoder kept them (plain ``BatchedInferencePipeline`` does
the same; it is the model, not our driving of it).

The fix: after a block is decoded, every VAD speech piece that no recognised word falls in is
a gap; neighbouring gaps become one region, and each region is decoded again as a window of
its own (batched with the other regions, so it costs one extra encoder batch per ~8 gaps).
The segments found there go through the same guards as the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
#: a word counts for a speech piece when its midpoint is within this margin of the piece
MARGIN = 0.1
#: gaps closer than this (seconds) are decoded together as one region
JOIN_GAP = 1.0
#: regions with less speech than this are left alone (a breath, a click, a cough)
MIN_REGION = 0.8
#: a region longer than this is cut (one Whisper window)
MAX_REGION = 28.0


def word_midpoints(segments: Iterable[Any]) -> np.ndarray:
    """Sorted midpoints (seconds) of the words of faster-whisper segments."""
    mids = [0.5 * (w.start + w.end) for s in segments for w in (s.words or [])]
    return np.sort(np.asarray(mids, dtype=np.float64))


def gap_regions(stamps: list[dict[str, int]], mids: np.ndarray) -> list[list[dict[str, int]]]:
    """VAD speech pieces (samples) without a word midpoint in them, joined into regions of
    neighbouring pieces; only regions of at least ``MIN_REGION`` seconds of speech."""
    regions: list[list[dict[str, int]]] = []
    current: list[dict[str, int]] = []
    for st in stamps:
        a, b = st["start"] / SAMPLE_RATE - MARGIN, st["end"] / SAMPLE_RATE + MARGIN
        i = int(np.searchsorted(mids, a))
        if i < len(mids) and mids[i] <= b:  # a word lies in this piece: not a gap
            continue
        near = current and st["start"] - current[-1]["end"] <= JOIN_GAP * SAMPLE_RATE
        fits = current and (st["end"] - current[0]["start"]) <= MAX_REGION * SAMPLE_RATE
        if near and fits:
            current.append(st)
        else:
            if current:
                regions.append(current)
            current = [st]
    if current:
        regions.append(current)
    return [r for r in regions if sum(s["end"] - s["start"] for s in r) >= MIN_REGION * SAMPLE_RATE]


#: silence put between two regions that share a window (seconds)
PAUSE = 1.0


def region_windows(whisper: Any, audio: np.ndarray, regions: list[list[dict[str, int]]]) -> Any:
    """The regions packed into as few Whisper windows as fit (up to ``MAX_REGION`` s each),
    ``PAUSE`` of silence between two regions: Whisper dropped turns glued to other speech,
    not turns with a pause around them, and each window costs a full 30 s encoder pass
    (one window per region made ASR a third slower on the dev dialogues). The silence is
    described to ``restore_speech_timestamps`` as a piece of audio after the region it
    follows, so that the offsets count the window's audio exactly (no word falls in it)."""
    from journeytape.transcribe import whisper_adapter as fw
    from journeytape.transcribe.asr import SpeechWindows

    pause = int(PAUSE * SAMPLE_RATE)
    silence = np.zeros(pause, dtype=np.float32)
    features, metadata, stamps = [], [], []
    done = 0  # samples of all windows before this one
    window: list[np.ndarray] = []
    window_stamps: list[dict[str, int]] = []

    def close() -> None:
        nonlocal done, window, window_stamps
        chunk = np.concatenate(window)
        features.append(fw.chunk_features(whisper, chunk))
        metadata.append({"offset": done / SAMPLE_RATE, "duration": len(chunk) / SAMPLE_RATE,
                         "segments": window_stamps})  # fmt: skip
        stamps.extend(window_stamps)
        done += len(chunk)
        window, window_stamps = [], []

    for region in regions:
        pieces = [audio[s["start"] : s["end"]] for s in region]
        size = sum(len(p) for p in pieces)
        used = sum(len(p) for p in window)
        if window and used + pause + size > MAX_REGION * SAMPLE_RATE:
            close()
        if window:  # a pause after the previous region, mapped just past its end
            end = window_stamps[-1]["end"]
            window.append(silence)
            window_stamps.append({"start": end, "end": end + pause})
        window.extend(pieces)
        window_stamps.extend(region)
    if window:
        close()
    return SpeechWindows(stamps=stamps, features=np.stack(features), metadata=metadata)


def with_gaps_filled(
    segments: Iterable[Any],
    stamps: list[dict[str, int]],
    fill: Callable[[list[list[dict[str, int]]]], Iterable[Any]],
) -> Iterator[Any]:
    """Yield ``segments`` as they come, then the segments ``fill`` decodes from the gap regions
    (out of time order: the caller sorts)."""
    seen = []
    for s in segments:
        seen.append(s)
        yield s
    regions = gap_regions(stamps, word_midpoints(seen))
    if regions:
        yield from fill(regions)
