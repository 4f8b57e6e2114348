"""Speech recognition benchmark on ../shared/eval: WER per language, speed, peak memory.

    .venv/bin/python -m bench.asr [--model base] [--compute-type int8] [--eval DIR]

Runs, one after the other (never concurrently) and each in its own process so that peak RSS
is that process's alone:

1. ``journeytape transcribe EVAL --out TMP --no-diarize --force`` (what a user runs);
2. the plain baseline: faster-whisper ``WhisperModel(model).transcribe(path)`` with its
   default settings, on the same model and compute type.

Prints per language the corpus WER (lower case, no punctuation, small numbers spelled out)
of both, the ratio ours/baseline, the speed as times real time (end to end including start-up
and model loading, and per file), and peak RSS. Files without a ``.txt`` reference (the AMI
meeting excerpts) count for speed only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("JOURNEYTAPE_EVAL", REPO.parent / "shared" / "eval"))

_NUMBERS = {
    "en": "zero one two three four five six seven eight nine ten",
    "nl": "nul een twee drie vier vijf zes zeven acht negen tien",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn",
}

BASELINE = r"""
import json, sys, time
from faster_whisper import WhisperModel
model_path, compute_type, files = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.perf_counter()
model = WhisperModel(model_path, device="cpu", compute_type=compute_type)
load = time.perf_counter() - t0
out = {"load": load, "files": {}}
for f in files:
    t = time.perf_counter()
    segments, info = model.transcribe(f)  # faster-whisper defaults
    text = " ".join(s.text.strip() for s in segments)
    out["files"][f] = {"text": text, "seconds": time.perf_counter() - t,
                       "language": info.language, "duration": info.duration}
print("JSON" + json.dumps(out))
"""


def language_of(item: str) -> str:
    if item.startswith("synthetic_nl") or item.startswith("nl_"):
        return "nl"
    return item.split("_")[0] if item.split("_")[0] in ("en", "de") else "en"


def normalise(text: str, lang: str) -> str:
    text = text.lower().replace("-", " ")
    words = _NUMBERS.get(lang, _NUMBERS["en"]).split()
    text = re.sub(r"\b(10|[0-9])\b", lambda m: words[int(m.group(1))], text)
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[str, float, float, float]:
    """Run ``cmd``; return (stdout, wall seconds, CPU seconds, peak RSS in MB) of it alone."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        print(out[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return out, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base")
    ap.add_argument("--compute-type", default="int8")
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument("--batch-size", type=int, default=8)
    args = ap.parse_args(argv)
    if not args.eval.is_dir():
        print(f"evaluation set not found at {args.eval} (set JOURNEYTAPE_EVAL)")
        return 0

    from journeytape.models.registry import resolve_asr_model

    model = resolve_asr_model(args.model)
    wavs = sorted(args.eval.glob("*/*.wav"))
    refs = {w: w.with_suffix(".txt") for w in wavs if w.with_suffix(".txt").is_file()}
    import soundfile

    durations = {w: soundfile.info(str(w)).duration for w in wavs}
    total_audio = sum(durations.values())
    print(f"{len(wavs)} recordings, {total_audio:.0f} s of audio ({len(refs)} with reference text)")
    print(f"model {model.name} ({model.source}), compute type {args.compute_type}, "
          f"{os.cpu_count()} cores; load now: {os.getloadavg()[0]:.1f}")  # fmt: skip

    # -- ours -------------------------------------------------------------------------------
    exe = Path(sys.executable).with_name("journeytape")
    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        out_dir = Path(tmp)
        cmd = [str(exe), "transcribe", str(args.eval), "--out", str(out_dir),
               "--model", args.model, "--compute-type", args.compute_type,
               "--batch-size", str(args.batch_size),
               "--no-diarize", "--force", "-q", "--formats", "json"]  # fmt: skip
        print("ours:     " + " ".join(cmd[1:]), flush=True)
        _, our_wall, our_cpu, our_rss = run_measured(cmd, {**os.environ, "COLUMNS": "200"})
        ours: dict[Path, dict] = {}
        for w in wavs:
            tj = out_dir / w.parent.name / (w.stem + ".transcript.json")
            d = json.loads(tj.read_text())
            ours[w] = {
                "text": " ".join(s["text"] for s in d["segments"]),
                "seconds": d["timings"]["total"],
                "language": d["language"],
            }

    # -- baseline ---------------------------------------------------------------------------
    cmd = [sys.executable, "-c", BASELINE, str(model.path), args.compute_type, *map(str, wavs)]
    print("baseline: WhisperModel(...).transcribe(path) with default settings", flush=True)
    out, base_wall, base_cpu, base_rss = run_measured(cmd)
    payload = json.loads(out[out.rindex("JSON") + 4 :])
    base = {Path(k): v for k, v in payload["files"].items()}

    # -- report -----------------------------------------------------------------------------
    import jiwer

    print()
    print(f"{'language':<9}{'files':>6}{'WER ours':>10}{'WER base':>10}{'ratio':>8}")
    by_lang: dict[str, list[Path]] = {}
    for w in refs:
        by_lang.setdefault(language_of(w.stem), []).append(w)
    for lang in sorted(by_lang):
        ws = by_lang[lang]
        ref = [normalise(refs[w].read_text(), lang) for w in ws]
        w_ours = jiwer.wer(ref, [normalise(ours[w]["text"], lang) or "<empty>" for w in ws])
        w_base = jiwer.wer(ref, [normalise(base[w]["text"], lang) or "<empty>" for w in ws])
        ratio = f"{w_ours / w_base:.2f}" if w_base else "-"
        print(f"{lang:<9}{len(ws):>6}{w_ours:>10.3f}{w_base:>10.3f}{ratio:>8}")
    wrong_lang = [
        f"{w.stem}: ours {ours[w]['language']}, baseline {base[w]['language']}"
        for w in refs
        if language_of(w.stem) != ours[w]["language"] or language_of(w.stem) != base[w]["language"]
    ]
    if wrong_lang:
        print("wrong language chosen: " + "; ".join(wrong_lang))

    cores = os.cpu_count() or 1
    our_files = sum(v["seconds"] for v in ours.values())
    base_files = sum(v["seconds"] for v in base.values())
    print()
    print(f"{'':<28}{'ours':>10}{'baseline':>10}{'ratio':>8}")
    rows = [
        ("speed, end to end (x RT)", total_audio / our_wall, total_audio / base_wall),
        ("speed, per file (x RT)", total_audio / our_files, total_audio / base_files),
        # CPU time hardly depends on what else runs: audio / (CPU seconds / cores) estimates
        # the speed on an otherwise idle machine with this many cores
        (
            "speed, idle estimate (x RT)",
            total_audio / (our_cpu / cores),
            total_audio / (base_cpu / cores),
        ),
        ("peak RSS (MB)", our_rss, base_rss),
    ]
    for name, a, b in rows:
        print(f"{name:<28}{a:>10.1f}{b:>10.1f}{a / b:>8.2f}")
    print(f"wall: ours {our_wall:.1f} s, baseline {base_wall:.1f} s; CPU: ours {our_cpu:.1f} s, "
          f"baseline {base_cpu:.1f} s; load average now {os.getloadavg()[0]:.1f} "
          f"(baseline model load {payload['load']:.1f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
