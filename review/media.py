"""Audio for the listening view and clips: waveform peaks, a clip per tag or selection, and a
highlight reel (clips joined by a short gap, with a cue sheet).

Everything goes through pydub over the decoded recording (ffmpeg decodes any format the
recorder or a phone produced). Clips decode only their own stretch (``start_second`` /
``duration``), so a clip from a two-hour recording costs what the clip costs. Peaks decode
the whole recording once, downmixed to a low rate, and are cached in the workspace folder
(0600), keyed by the recording's path, size and modification time; a withdrawal removes the
peaks of a withdrawn (or vanished) recording.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from journeytape.files import atomic_write_bytes

from .store import WORKSPACE_DIR, InterviewView, TagView, WorkspaceError

PEAKS_DIR = "peaks"

#: decoded rate for peaks (the waveform needs the envelope, not the sound)
PEAK_RATE = 4000
#: peaks per second of audio, at most MAX_PEAKS in all (what the browser draws)
PEAKS_PER_SECOND = 20
MAX_PEAKS = 20_000
#: silence around a clip, and between the clips of a reel (milliseconds)
PAD_MS = 300
GAP_MS = 800
FADE_MS = 40
#: longest single clip and reel (seconds): a clip is an excerpt, not the interview
MAX_CLIP_S = 600
MAX_REEL_CLIPS = 200


class MediaError(WorkspaceError):
    """No recording, or ffmpeg could not decode it."""


def _load(path: Path, start: float | None = None, duration: float | None = None, **kw):
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        return AudioSegment.from_file(str(path), start_second=start, duration=duration, **kw)
    except (CouldntDecodeError, OSError, IndexError) as exc:
        raise MediaError(f"cannot decode {path.name}: {str(exc).splitlines()[0][:200]}") from None


# -- peaks -----------------------------------------------------------------------------------


def _peaks_cache(folder: Path, audio: Path) -> Path:
    import hashlib

    st = audio.stat()
    key = hashlib.sha256(f"{audio}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:24]
    return folder / WORKSPACE_DIR / PEAKS_DIR / f"{key}.json"


def peaks(folder: Path, audio: Path) -> dict:
    """{"duration": s, "peaks": [0..1, ...]}: the loudest sample per bucket, normalised."""
    cache = _peaks_cache(folder, audio)
    try:
        d = json.loads(cache.read_text("utf-8"))
        return {"duration": d["duration"], "peaks": d["peaks"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    import numpy as np

    seg = _load(audio, parameters=["-ac", "1", "-ar", str(PEAK_RATE)])
    samples = np.abs(np.asarray(seg.get_array_of_samples(), dtype=np.float32))
    duration = len(seg) / 1000
    n = int(min(MAX_PEAKS, max(1, duration * PEAKS_PER_SECOND)))
    edges = np.linspace(0, len(samples), n + 1).astype(int)
    top = np.maximum.reduceat(samples, edges[:-1]) if len(samples) else np.zeros(n)
    scale = float(top.max()) or 1.0
    out = {"duration": round(duration, 3), "peaks": [round(float(x) / scale, 3) for x in top]}
    os.makedirs(cache.parent, mode=0o700, exist_ok=True)
    # the recording's path is kept so a withdrawal finds this file (review/erase.py)
    atomic_write_bytes(cache, json.dumps({"audio": str(audio), **out}).encode())
    return out


# -- clips -----------------------------------------------------------------------------------


@dataclass
class Clip:
    interview: str
    start: float
    end: float
    label: str
    value: str
    speaker: str
    quote: str


def clip_of_tag(view: InterviewView, t: TagView) -> Clip:
    return Clip(
        view.name,
        t.start,
        t.end,
        t.label,
        view.value_label(t),
        view.speaker_label(t.speaker),
        t.text,
    )


def clip_of_span(view: InterviewView, seg_id: int, start_char: int, end_char: int) -> Clip:
    """A selection: the words it covers, from the first word's start to the last one's end."""
    seg = view.segment(seg_id)
    if not 0 <= start_char < end_char <= len(seg.original_text):
        raise WorkspaceError(f"span {start_char}-{end_char} is outside segment {seg_id}")
    inside = [w for w in seg.words if w.start_char < end_char and w.end_char > start_char]
    start = min((w.start for w in inside), default=seg.start)
    end = max((w.end for w in inside), default=seg.end)
    return Clip(
        view.name,
        start,
        end,
        "selection",
        "",
        view.speaker_label(seg.speaker),
        seg.display(start_char, end_char),
    )


def render_clip(audio: Path, clip: Clip, pad_ms: int = PAD_MS):
    """The clip's audio (pydub AudioSegment) with ``pad_ms`` of context each side, faded."""
    if clip.end - clip.start > MAX_CLIP_S:
        raise WorkspaceError(f"a clip is at most {MAX_CLIP_S} s long")
    start = max(0.0, clip.start - pad_ms / 1000)
    seg = _load(audio, start=start, duration=clip.end + pad_ms / 1000 - start)
    return seg.fade_in(FADE_MS).fade_out(FADE_MS)


def wav_bytes(seg) -> bytes:
    buf = io.BytesIO()
    seg.export(buf, format="wav")
    return buf.getvalue()


def reel(items: list[tuple[Path, Clip]], gap_ms: int = GAP_MS) -> tuple[bytes, bytes]:
    """(reel.wav, cues.csv): the clips in order, ``gap_ms`` of silence between them; the cue
    sheet says where each clip sits in the reel and where it comes from."""
    from pydub import AudioSegment

    if not items:
        raise WorkspaceError("no tags match: nothing to put in a reel")
    if len(items) > MAX_REEL_CLIPS:
        raise WorkspaceError(f"a reel holds at most {MAX_REEL_CLIPS} clips ({len(items)} match)")
    out = None
    rows = []
    for i, (audio, clip) in enumerate(items, 1):
        seg = render_clip(audio, clip)
        if out is None:
            out = AudioSegment.silent(duration=0, frame_rate=seg.frame_rate)
        elif gap_ms:
            out += AudioSegment.silent(duration=gap_ms, frame_rate=seg.frame_rate)
        at = len(out) / 1000
        seg = seg.set_frame_rate(out.frame_rate).set_channels(1)
        out += seg
        rows.append(
            {
                "clip": i,
                "reel_start": round(at, 3),
                "reel_end": round(len(out) / 1000, 3),
                "interview": clip.interview,
                "start": round(clip.start, 3),
                "end": round(clip.end, 3),
                "label": clip.label,
                "value": clip.value,
                "speaker": clip.speaker,
                "quote": clip.quote,
            }
        )
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
                    for k, v in r.items()})  # fmt: skip
    return wav_bytes(out), ("\ufeff" + buf.getvalue()).encode("utf-8")


def reel_zip(items: list[tuple[Path, Clip]], name: str = "reel") -> bytes:
    import zipfile

    audio, cues = reel(items)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.wav", audio)
        z.writestr(f"{name}.cues.csv", cues)
    return buf.getvalue()
