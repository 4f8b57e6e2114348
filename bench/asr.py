"""Speech recognition benchmark on ../shared/eval: WER per language, speed, peak memory.

    .venv/bin/python -m bench.asr [--model base] [--compute-type int8] [--eval DIR] [--all]

Two parts, each run as ``journeytape transcribe FILES --out TMP --no-diarize --force`` (what
a user runs) and as the plain baseline, faster-whisper ``WhisperModel(model).transcribe(path)``
with its default settings on the same model and compute type. Every run is its own process
(peak RSS is that process's alone) and they run one after the other, never concurrently.

1. **Accuracy**: every recording with a reference ``.txt`` (short clips in en, nl, de);
   corpus WER per language after lower-casing, removing punctuation and spelling out small
   numbers, and the ratio ours / baseline.
2. **Speed and memory**: one interview-like recording made by joining AMI meeting excerpts
   (4 of them, 2 minutes; ``--all``: all 9, 4.5 minutes). Whisper always encodes 30 s windows,
   so short clips measure start-up costs, not throughput. Reported as times real time: end
   to end (process start, model load, decode, ASR), per file (the pipeline alone), and an
   idle-machine estimate = audio / (CPU seconds / cores), which barely depends on what else
   the machine is doing; plus peak RSS.
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

from journeytape.transcribe.settings import ASR_BATCH_SIZE

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
    if item.startswith(("synthetic_nl", "nl_")):
        return "nl"
    return "de" if item.startswith("de_") else "en"


def normalise(text: str, lang: str) -> str:
    text = text.lower().replace("-", " ")
    words = _NUMBERS.get(lang, _NUMBERS["en"]).split()
    text = re.sub(r"\b(10|[0-9])\b", lambda m: words[int(m.group(1))], text)
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


class Run:
    """One measured process: output, wall and CPU seconds, peak RSS (MB)."""

    def __init__(self, cmd: list[str]):
        env = {**os.environ, "COLUMNS": "200"}
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self.out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        self.wall = time.perf_counter() - t0
        self.cpu = usage.ru_utime + usage.ru_stime
        self.rss = usage.ru_maxrss / 1024  # Linux reports KiB
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            print(self.out[-3000:])
            raise SystemExit(f"command failed ({code}): {' '.join(cmd[:3])} …")


def run_ours(files: list[Path], args, out_dir: Path) -> tuple[Run, dict[Path, dict]]:
    exe = Path(sys.executable).with_name("journeytape")
    cmd = [str(exe), "transcribe", *map(str, files), "--out", str(out_dir),
           "--model", args.model, "--compute-type", args.compute_type,
           "--batch-size", str(args.batch_size),
           "--no-diarize", "--force", "-q", "--formats", "json"]  # fmt: skip
    run = Run(cmd)
    results = {}
    for f in files:
        d = json.loads((out_dir / (f.stem + ".transcript.json")).read_text())
        results[f] = {
            "text": " ".join(s["text"] for s in d["segments"]),
            "seconds": d["timings"]["total"],
            "language": d["language"],
            "warnings": d["warnings"],
        }
    return run, results


def run_baseline(files: list[Path], model_path: Path, compute_type: str):
    run = Run([sys.executable, "-c", BASELINE, str(model_path), compute_type, *map(str, files)])
    payload = json.loads(run.out[run.out.rindex("JSON") + 4 :])
    return run, {Path(k): v for k, v in payload["files"].items()}


def join_wavs(wavs: list[Path], dst: Path) -> float:
    import numpy as np
    import soundfile

    parts = [soundfile.read(str(w), dtype="float32")[0] for w in wavs]
    audio = np.concatenate([p if p.ndim == 1 else p.mean(axis=1) for p in parts])
    soundfile.write(str(dst), audio, 16000, subtype="PCM_16")
    return len(audio) / 16000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base")
    ap.add_argument("--compute-type", default="int8")
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument("--batch-size", type=int, default=ASR_BATCH_SIZE,
                    help="windows decoded together (default: the product's)")  # fmt: skip
    ap.add_argument("--all", action="store_true", help="join all 9 AMI excerpts (4.5 min)")
    args = ap.parse_args(argv)
    if not args.eval.is_dir():
        print(f"evaluation set not found at {args.eval} (set JOURNEYTAPE_EVAL)")
        return 0

    import jiwer
    import soundfile

    from journeytape.models.registry import resolve_asr_model

    model = resolve_asr_model(args.model)
    cores = os.cpu_count() or 1
    wavs = sorted(args.eval.glob("*/*.wav"))
    refs = {w: w.with_suffix(".txt") for w in wavs if w.with_suffix(".txt").is_file()}
    meetings = [w for w in wavs if w.stem.startswith("ami_")][: 9 if args.all else 4]
    ref_audio = sum(soundfile.info(str(w)).duration for w in refs)
    print(f"model {model.name} ({model.source}), compute type {args.compute_type}, {cores} cores")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        tmp = Path(tmp)
        # -- 1. accuracy -------------------------------------------------------------------
        print(
            f"\n1. accuracy: {len(refs)} clips with reference text, {ref_audio:.0f} s", flush=True
        )
        (tmp / "wer").mkdir()
        _, ours = run_ours(list(refs), args, tmp / "wer")
        _, base = run_baseline(list(refs), model.path, args.compute_type)
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
        for w in refs:
            want = language_of(w.stem)
            if want != ours[w]["language"] or want != base[w]["language"]:
                print(f"  {w.stem}: spoken {want}; ours chose {ours[w]['language']}, "
                      f"baseline {base[w]['language']}")  # fmt: skip

        # -- 2. speed and memory -----------------------------------------------------------
        long = tmp / "meeting.wav"
        audio = join_wavs(meetings, long)
        print(f"\n2. speed: {len(meetings)} AMI excerpts joined, {audio:.0f} s", flush=True)
        (tmp / "speed").mkdir()
        run_o, res_o = run_ours([long], args, tmp / "speed")
        run_b, res_b = run_baseline([long], model.path, args.compute_type)
        print(f"{'':<30}{'ours':>9}{'baseline':>10}{'ratio':>8}")
        rows = [
            ("speed, end to end (x RT)", audio / run_o.wall, audio / run_b.wall),
            ("speed, pipeline (x RT)", audio / res_o[long]["seconds"],
             audio / res_b[long]["seconds"]),
            ("speed, idle estimate (x RT)", audio / (run_o.cpu / cores),
             audio / (run_b.cpu / cores)),
            ("peak RSS (MB)", run_o.rss, run_b.rss),
        ]  # fmt: skip
        for name, a, b in rows:
            print(f"{name:<30}{a:>9.1f}{b:>10.1f}{a / b:>8.2f}")
        print(f"wall {run_o.wall:.1f} / {run_b.wall:.1f} s, CPU {run_o.cpu:.1f} / "
              f"{run_b.cpu:.1f} s; load average at end: {os.getloadavg()[0]:.1f}")  # fmt: skip
        words_o, words_b = len(res_o[long]["text"].split()), len(res_b[long]["text"].split())
        print(f"words: ours {words_o}, baseline {words_b}; warnings: {res_o[long]['warnings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
