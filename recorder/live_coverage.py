"""Live checklist coverage: which guide items and interview steps have come up so far.

While recording, a *separate process* (``python -m journeytape.recorder.live_coverage``)
transcribes the newest audio with a small Whisper model and matches it against the guide's
checklist synonyms and a few interview-step cues; the recorder shows what came up and what has
not ("not yet: intranet, manager, overall score").

Why a process, at the lowest CPU priority, reading the ``.part`` file: the capture must never
suffer. A thread in the recorder would share its GIL with the PortAudio callback and its CPU
priority with the writer; a niced child that only *reads* the file the writer already syncs
every second shares nothing with the capture path but the disk cache. When it falls behind
(a slow or busy machine), it skips ahead to the newest audio instead of queueing work, and
says how much it skipped. If the model is missing or the child dies, recording goes on and
the screen says live coverage is off.

Protocol: the parent writes one JSON config line to the child's stdin and keeps stdin open;
the child exits when stdin closes (so it never outlives the recorder). The child prints JSON
lines: ``{"ready": ...}``, ``{"heard": item_id, "t": s}``, ``{"step": name, "t": s}``,
``{"stats": {...}}``, ``{"error": message}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: interview steps and the interviewer's words that show each was done (EN/NL/DE)
STEPS: dict[str, tuple[str, str]] = {
    "goal": (
        "goal asked",
        r"what did you (want|need)|what were you trying|what was your goal|why did you "
        r"(contact|call|go)|wat wilde (je|u)|wat was (je|uw) doel|was wollten sie|ihr ziel",
    ),
    "peak": (
        "peak",
        r"high ?point|low ?point|best (moment|part)|worst (moment|part)|hoogtepunt|"
        r"dieptepunt|h(ö|oe)hepunkt|tiefpunkt",
    ),
    "score": (
        "overall score",
        r"out of (ten|10)|\bscore\b|\brate\b|\bgrade\b|\bcijfer|\bpunkte|schulnote",
    ),
    "expectations": ("expectations", r"expect|verwacht|erwart"),
    "anything_else": (
        '"anything else"',
        r"anything else|anything to add|nog iets|verder nog|sonst noch|noch etwas",
    ),
}
SAMPLE_RATE = 16000
HEADER = 80  # journeytape's WAV header (recorder/wavfile.py)


def _synonym_regex(phrase: str) -> str:
    """A guide synonym as a regex: ``word*`` prefix, ``*word`` suffix, ``=word`` exact."""
    p = phrase.strip().lower()
    if p.startswith("="):
        return rf"\b{re.escape(p[1:])}\b"
    if p.endswith("*"):
        return rf"\b{re.escape(p[:-1])}\w*"
    if p.startswith("*"):
        return rf"\w*{re.escape(p[1:])}\b"
    return rf"\b{re.escape(p)}(s|es|ed|d)?\b"


def checklist_patterns(guide: Any, lang: str) -> list[dict[str, Any]]:
    """[{"id", "label", "regex"}] for the guide's checklist items (label plus synonyms)."""
    out = []
    for it in guide.checklist:
        phrases = [it.label(lang), *it.synonyms_for(lang)]
        rx = "|".join(_synonym_regex(p) for p in phrases if p and p.strip())
        out.append({"id": it.id, "label": it.label(lang), "regex": rx})
    return out


def live_items(guide: Any, lang: str) -> list[dict[str, Any]] | None:
    """The checklist as patterns for live coverage (None without a guide or checklist)."""
    if guide is None or not guide.checklist:
        return None
    return checklist_patterns(guide, lang)


# -- the child process ---------------------------------------------------------------------
def _read_new(path: Path, start: int, end: int, channels: int) -> Any:
    import numpy as np

    with open(path, "rb") as fh:
        fh.seek(HEADER + start)
        raw = fh.read(end - start)
    x = np.frombuffer(raw[: len(raw) // (2 * channels) * 2 * channels], dtype="<i2")
    x = x.reshape(-1, channels).mean(axis=1) if channels > 1 else x.astype(np.float32)
    return (x / 32768.0).astype(np.float32)


def _to_16k(x: Any, rate: int) -> Any:
    import numpy as np

    if rate == SAMPLE_RATE or len(x) == 0:
        return x
    n = int(len(x) * SAMPLE_RATE / rate)
    return np.interp(np.arange(n) * rate / SAMPLE_RATE, np.arange(len(x)), x).astype(np.float32)


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def child_main(cfg: dict[str, Any], stop: threading.Event) -> None:
    """Transcribe the newest audio of ``cfg["part"]`` every few seconds until ``stop``."""
    try:
        from faster_whisper import WhisperModel

        from journeytape.models.registry import resolve_asr_model

        path = resolve_asr_model(cfg["model"]).path
        model = WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=1, local_files_only=True
        )
    except Exception as exc:  # no model, no faster-whisper: coverage is off, recording goes on
        _emit({"error": f"model {cfg['model']!r} not available ({exc})"})
        return
    part, rate, ch = Path(cfg["part"]), int(cfg["rate"]), int(cfg["channels"])
    align, offset = 2 * ch, float(cfg.get("offset", 0.0))
    items = [(it["id"], re.compile(it["regex"], re.I)) for it in cfg["items"] if it["regex"]]
    steps = [(k, re.compile(rx, re.I)) for k, (_, rx) in STEPS.items()]
    interval, window = float(cfg.get("interval", 5.0)), float(cfg.get("window", 30.0))
    # every second is heard in two chunks: a word cut at an edge, or misheard once, gets a
    # second chance (about twice the CPU of hearing it once; measured in stats)
    overlap = int(float(cfg.get("overlap", 5.0)) * rate) * align
    done = 0  # bytes of audio already transcribed
    found: set[str] = set()
    stats = {"audio_s": 0.0, "cpu_s": 0.0, "wall_s": 0.0, "skipped_s": 0.0, "chunks": 0}
    _emit({"ready": cfg["model"]})
    while not stop.wait(interval):
        try:
            end = part.stat().st_size - HEADER
        except OSError:
            continue
        end -= end % align
        if end - done < int(2.0 * rate) * align:
            continue
        start = max(0, done - overlap)
        if end - start > int(window * rate) * align:  # behind: skip to the newest audio
            new_start = end - int(window * rate) * align
            stats["skipped_s"] += (new_start - start) / (rate * align)
            start = new_start
        x = _to_16k(_read_new(part, start, end, ch), rate)
        c0, w0 = time.process_time(), time.perf_counter()
        segs, _ = model.transcribe(
            x,
            language=cfg.get("language") or None,
            beam_size=1,
            without_timestamps=False,  # segment times (cheap) say when an item came up
            condition_on_previous_text=False,
            vad_filter=False,
        )
        t0 = offset + start / (rate * align)
        for s in segs:
            text, t = s.text, round(t0 + s.start, 1)
            if cfg.get("debug"):  # for tests and tuning only: the text never leaves the pipe
                _emit({"text": text, "t": t})
            for key, rx in items + steps:
                tag = ("step:" if key in STEPS else "") + key
                if tag not in found and rx.search(text):
                    found.add(tag)
                    _emit({"step": key, "t": t} if key in STEPS else {"heard": key, "t": t})
        stats["cpu_s"] += time.process_time() - c0
        stats["wall_s"] += time.perf_counter() - w0
        stats["audio_s"] += len(x) / SAMPLE_RATE
        stats["chunks"] += 1
        done = end
        _emit({"stats": {k: round(v, 2) for k, v in stats.items()}})


def main() -> None:
    with contextlib.suppress(OSError):
        os.nice(19)  # first, so every thread (ours, CTranslate2's, OpenMP's) inherits it
    cfg = json.loads(sys.stdin.readline())
    stop = threading.Event()

    def _watch_stdin() -> None:  # the recorder closed the pipe (or died): stop
        sys.stdin.read()
        stop.set()

    threading.Thread(target=_watch_stdin, daemon=True).start()
    child_main(cfg, stop)


# -- the recorder's side --------------------------------------------------------------------
@dataclass
class LiveCoverage:
    """Runs the child for one recording; ``heard``/``steps`` fill in as speech comes up."""

    labels: dict[str, str]
    on_event: Callable[[str], None] | None = None
    heard: dict[str, float] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    ready: bool = False
    _proc: subprocess.Popen | None = None

    def start(self, cfg: dict[str, Any]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "journeytape.recorder.live_coverage"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(cfg) + "\n")
        self._proc.stdin.flush()
        threading.Thread(target=self._read, daemon=True, name="journeytape-live").start()

    def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        for line in proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if "heard" in ev:
                self.heard.setdefault(ev["heard"], ev["t"])
                self._say(f"heard {self.labels.get(ev['heard'], ev['heard'])}", ev["t"])
            elif "step" in ev:
                self.steps.setdefault(ev["step"], ev["t"])
                self._say(f"step done: {STEPS[ev['step']][0]}", ev["t"])
            elif "stats" in ev:
                self.stats = ev["stats"]
            elif "ready" in ev:
                self.ready = True
            elif "error" in ev:
                self.error = ev["error"]
                if self.on_event:
                    self.on_event(f"Live coverage is off: {self.error}")
        if self.error is None and self._proc is not None:  # ended while still recording
            self.error = "the live transcription stopped"

    def _say(self, what: str, t: float) -> None:
        if self.on_event:
            s = int(t)
            self.on_event(f"Live coverage: {what} at {s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}")

    def not_yet(self, ticked: set[str]) -> list[str]:
        """Steps not done, then checklist items neither heard nor ticked, in guide order."""
        out = [label for key, (label, _) in STEPS.items() if key not in self.steps]
        out += [lab for i, lab in self.labels.items() if i not in self.heard and i not in ticked]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "heard": dict(self.heard),
            "steps": dict(self.steps),
            "stats": dict(self.stats),
            "error": self.error,
        }

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(3)


if __name__ == "__main__":
    main()
