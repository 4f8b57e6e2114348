"""Second look at who spoke each stretch: re-embed short pieces of speech, move the ones that
clearly sound like another speaker.

pyannote's segmentation model works in 10 s windows and, for two similar voices, sometimes
takes a short reply and the long answer around it for one *local* speaker; that local
speaker's embedding is then a mix, and clustering cannot undo it (measured on
``ls_dialogue_dev_ff``, two women: three 3-4 s replies went to the other voice, 8 % of the
speech). Here each exclusive turn is cut into pieces of at most ``piece`` seconds, each piece
is embedded with CAM++ on its own, speaker centroids are the duration-weighted mean of their
pieces, and a piece moves to another speaker only when it is closer to that speaker's centroid
by at least ``margin`` (cosine similarity). Two rounds (centroids recomputed). It never adds a
speaker, so a monologue stays one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from journeytape.transcribe.merge import Turn

SAMPLE_RATE = 16000
#: pieces embedded at once
BATCH = 16


@dataclass(frozen=True)
class RefineParams:
    piece: float = 3.0
    min_piece: float = 1.0
    margin: float = 0.1
    rounds: int = 2


def pieces_of(exclusive: list[Turn], piece: float) -> list[Turn]:
    """Exclusive turns cut into equal parts of at most ``piece`` seconds."""
    out = []
    for t in exclusive:
        n = max(1, math.ceil(t.duration / piece))
        step = t.duration / n
        out += [Turn(t.start + i * step, t.start + (i + 1) * step, t.speaker) for i in range(n)]
    return out


def refine(
    samples: np.ndarray,
    exclusive: list[Turn],
    turns: list[Turn],
    embed: Callable[[np.ndarray], np.ndarray],
    params: RefineParams = RefineParams(),
) -> tuple[list[Turn], list[Turn], dict]:
    """Return (exclusive, turns, stats) with clearly misattributed pieces moved.

    ``embed`` maps a (batch, samples) float32 array to (batch, dim) embeddings (NaN rows
    for pieces it cannot embed)."""
    speakers = sorted({t.speaker for t in exclusive})
    if len(speakers) < 2:
        return exclusive, turns, {"moved": 0}
    parts = pieces_of(exclusive, params.piece)
    length = int(params.piece * SAMPLE_RATE)
    todo = [i for i, p in enumerate(parts) if p.duration >= params.min_piece]
    embs: dict[int, np.ndarray] = {}
    for b in range(0, len(todo), BATCH):
        idx = todo[b : b + BATCH]
        # one shape for every piece (shorter ones repeat themselves, as the pipeline's
        # embeddings do): batched, and no allocator growth from ever-new input sizes
        batch = np.stack([_fixed(samples, parts[i], length) for i in idx])
        for i, e in zip(idx, embed(batch), strict=True):
            if np.all(np.isfinite(e)):
                embs[i] = e / (np.linalg.norm(e) + 1e-12)
    labels = [p.speaker for p in parts]
    for _ in range(params.rounds):
        cents = _centroids(parts, labels, embs, speakers)
        if len(cents) < 2:
            break
        changed = False
        for i, e in embs.items():
            sims = {s: float(c @ e) for s, c in cents.items()}
            best = max(sims, key=sims.__getitem__)
            own = sims.get(labels[i], -1.0)
            if best != labels[i] and sims[best] - own >= params.margin:
                labels[i], changed = best, True
        if not changed:
            break
    moves = [(p, lab) for p, lab in zip(parts, labels, strict=True) if lab != p.speaker]
    if not moves:
        return exclusive, turns, {"moved": 0}
    new_excl = _join([Turn(p.start, p.end, lab) for p, lab in zip(parts, labels, strict=True)])
    new_turns = turns
    for p, lab in moves:
        new_turns = _move(new_turns, p.start, p.end, p.speaker, lab)
    seconds = round(sum(p.duration for p, _ in moves), 2)
    return new_excl, new_turns, {"moved": len(moves), "moved_seconds": seconds}


def _fixed(samples: np.ndarray, piece: Turn, length: int) -> np.ndarray:
    x = samples[int(piece.start * SAMPLE_RATE) : int(piece.end * SAMPLE_RATE)]
    return np.resize(x, length).astype(np.float32) if len(x) else np.zeros(length, np.float32)


def _centroids(parts, labels, embs, speakers) -> dict[str, np.ndarray]:
    out = {}
    for s in speakers:
        idx = [i for i in embs if labels[i] == s]
        if idx:
            c = sum(parts[i].duration * embs[i] for i in idx)
            out[s] = c / (np.linalg.norm(c) + 1e-12)
    return out


def _move(turns: list[Turn], a: float, b: float, src: str, dst: str) -> list[Turn]:
    """Take [a, b] out of ``src``'s turns and give it to ``dst``."""
    out = []
    for t in turns:
        if t.speaker != src or t.end <= a or t.start >= b:
            out.append(t)
            continue
        if t.start < a:
            out.append(Turn(t.start, a, src))
        if t.end > b:
            out.append(Turn(b, t.end, src))
    out.append(Turn(a, b, dst))
    return _join(out)


def _join(turns: list[Turn]) -> list[Turn]:
    """Sort, and join a speaker's turns that touch or overlap."""
    out: list[Turn] = []
    last: dict[str, int] = {}
    for t in sorted(turns, key=lambda t: (t.start, t.end)):
        i = last.get(t.speaker)
        if i is not None and t.start <= out[i].end + 1e-6:
            out[i] = Turn(out[i].start, max(out[i].end, t.end), t.speaker)
            continue
        last[t.speaker] = len(out)
        out.append(Turn(round(t.start, 3), round(t.end, 3), t.speaker))
    return out
