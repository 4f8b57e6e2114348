"""``bench.diarization --long-minutes N``: one long two-voice interview, transcribed and
diarized in a child process (speed, peak RSS), words to the right voice overall and per
10-minute window. Split out of ``bench/diarization.py`` (which imports it) to keep files short.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# -- 4. long synthetic interview ----------------------------------------------------------------

_LINES_A = [
    "Could you tell me about the last time you travelled by train?",
    "What happened when you arrived at the station?",
    "How did that make you feel?",
    "Was there anyone you could ask for help?",
    "What would have made that moment easier for you?",
    "And how did you buy your ticket?",
]
_LINES_B = [
    "Well, it was last Tuesday, and I was going to visit my sister in the north.",
    "The ticket machine was broken, so I had to queue at the desk for twenty minutes.",
    "Honestly I was quite frustrated, because I almost missed my connection.",
    "There was a man at the information point but he was very busy with other people.",
    "A working app would have helped, or at least a clear sign telling me where to go.",
    "In the end I paid with my phone, which was easy once the queue was gone.",
]


#: the two espeak-ng voices CAM++ separates best (tests/transcribe/speakers/conftest.py explains)
_VOICE_A = ["-v", "en-us", "-p", "20", "-s", "165"]
_VOICE_B = ["-v", "en-us+f4", "-p", "80", "-s", "160"]


def make_interview(path: Path, minutes: float) -> tuple[float, list[tuple[float, float, str]]]:
    """Write a two-voice interview of about ``minutes`` (espeak-ng + sox); return its
    duration and the reference turns (start, end, voice)."""
    work = Path(tempfile.mkdtemp(prefix="jt-long-"))
    parts: list[str] = []
    turns: list[tuple[float, float, str]] = []
    total = 0.0
    i = 0
    while total < minutes * 60:
        for who, lines, voice in (("a", _LINES_A, _VOICE_A), ("b", _LINES_B, _VOICE_B)):
            wav = work / f"{i:05d}{who}.wav"
            subprocess.run(["espeak-ng", *voice, "-w", str(wav), lines[i % len(lines)]], check=True)
            parts.append(str(wav))
            seconds = float(subprocess.check_output(["soxi", "-D", str(wav)]).decode())
            turns.append((total, total + seconds, who))
            total += seconds + 0.6
        i += 1
    # one sox call joins every turn with 0.6 s pauses, at 16 kHz mono
    sil = work / "sil.wav"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", str(sil), "trim", "0", "0.6"],
                   check=True)  # fmt: skip
    seq = [p for part in parts for p in (part, str(sil))]
    subprocess.run(["sox", *seq, "-r", "16000", "-b", "16", str(path)], check=True)
    for p in work.iterdir():
        p.unlink()
    work.rmdir()
    return float(subprocess.check_output(["soxi", "-D", str(path)]).decode()), turns


def _child(wav: str, model: str) -> None:
    """Run in a child process: transcribe+diarize one file, print JSON with timings."""
    from journeytape.transcribe.pipeline import transcribe_file
    from journeytape.transcribe.settings import TranscribeSettings

    t = time.perf_counter()
    tr = transcribe_file(wav, TranscribeSettings(model=model, language="en"))
    wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    speakers = [(s.id, s.label, s.talk_time) for s in tr.speakers]
    words = [(round(0.5 * (w.start + w.end), 3), w.speaker) for g in tr.segments for w in g.words]
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "timings": tr.timings,
                "rss_mb": rss_mb,
                "speakers": speakers,
                "words": words,
                "cores": os.cpu_count(),
            }  # fmt: skip
        )
    )


def run_long(minutes: float, model: str, real_voices: bool = True) -> dict:
    """Transcribe + diarize one long two-voice interview in a child process (speed, peak
    RSS), then check words to the right voice overall and per 10-minute window with one
    mapping for the whole hour (a speaker who changes id half-way fails the later windows)."""
    if real_voices:
        from bench.speaker_data import build, read_rttm

        folder = next(f for f in build(minutes) if f.name.startswith("gen_long"))
        wav = folder / f"{folder.name}.wav"
        turns = read_rttm(folder / f"{folder.name}.rttm")
        duration = max(b for _, b, _ in turns) + 0.5
        res = _run_child(wav, model)
    else:
        with tempfile.TemporaryDirectory(prefix="jt-bench-") as tmp:
            wav = Path(tmp) / "interview.wav"
            duration, turns = make_interview(wav, minutes)
            res = _run_child(wav, model)
    timings = res["timings"]
    truth = []
    for mid, spk in res["words"]:
        voice = next((v for a, b, v in turns if a <= mid <= b), None)
        if voice is not None:
            truth.append((mid, spk, voice))
    votes: dict[tuple, int] = {}
    for _, spk, voice in truth:
        votes[(spk, voice)] = votes.get((spk, voice), 0) + 1
    best = {spk: max((n, v) for (s, v), n in votes.items() if s == spk)[1] for spk, _ in votes}
    right = sum(best.get(spk) == voice for _, spk, voice in truth)
    windows = []
    for w0 in range(0, int(duration) + 1, 600):
        sel = [(spk, v) for mid, spk, v in truth if w0 <= mid < w0 + 600]
        if sel:
            windows.append(sum(best.get(spk) == v for spk, v in sel) / len(sel))
    return {
        "minutes": duration / 60,
        "total_x": duration / res["wall"],
        "asr_x": duration / timings["asr"] if timings.get("asr") else float("nan"),
        "diar_x": duration / timings["diarization"] if timings.get("diarization") else float("nan"),
        "rss_mb": res["rss_mb"],
        "speakers": res["speakers"],
        # what an idle machine would do: audio seconds per CPU second per core
        "idle_x": duration / (res["cpu"] / (res["cores"] or 1)),
        "word_accuracy": right / len(truth) if truth else float("nan"),
        "words": len(truth),
        "windows": windows,
        "voices": "real (LibriSpeech)" if real_voices else "espeak",
    }


def _run_child(wav: Path, model: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.diarization", "--child", str(wav), "--model", model],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_long(r: dict) -> None:
    """One paragraph for the long interview: speed, memory, words to the right voice."""
    print(
        f"\nlong interview ({r['minutes']:.1f} min, 2 {r['voices']} voices): "
        f"{r['total_x']:.1f}x real time in total (ASR {r['asr_x']:.1f}x, diarization "
        f"{r['diar_x']:.1f}x), peak RSS {r['rss_mb']:.0f} MB; idle-machine estimate "
        f"(audio / CPU seconds per core) {r['idle_x']:.1f}x; words attributed to the right "
        f"voice {r['word_accuracy']:.1%} of {r['words']}; per 10 min with one mapping: "
        f"{' '.join(f'{w:.0%}' for w in r['windows'])}; speakers {r['speakers']}"
    )
