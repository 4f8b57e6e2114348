"""The whole pipeline vs the naive script, in one run on the same files (issue #19).

    .venv/bin/python -m bench.pipeline [--model base] [--long-minutes N] [--eval DIR]

Each side runs in its own fresh process(es), one after the other, never concurrently:

* **ours**: ``journeytape transcribe FILES --out TMP --force`` (diarization on) and then
  ``journeytape annotate TMP --guide journeytape/data/guides/service-desk.yaml``: what a user runs.
* **naive**: what a user would write by hand (``--child naive``): faster-whisper
  ``WhisperModel(<same model folder>, compute_type="int8").transcribe(path, beam_size=5,
  vad_filter=True, word_timestamps=True)``, then pyannote's ``SpeakerDiarization`` with the same
  two models (segmentation-3.0 + the CAM++ wrapper, built by journeytape's ``build_pipeline``
  with ``PYANNOTE_DEFAULT``, as ``bench.diarization``'s baseline) at pyannote's default
  clustering, and each word given the speaker whose turns overlap it most.

Reported per side: wall time (process start and model loading included), times real time
(audio / wall), an idle-machine estimate (audio / (CPU seconds / cores)), peak RSS (from
``wait4``, that process alone; for ours the larger of its two processes), words attributed to
the right speaker (time-based against the reference RTTM after the best 1:1 mapping, as
``bench.diarization.word_accuracy``), and WER where a reference ``.txt`` exists. The ratio
ours / naive in the same run is the figure that counts: absolute times vary with load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.asr import EVAL, REPO, Run, normalise
from bench.diarization import _T, word_accuracy

GUIDE = REPO / "journeytape" / "data" / "guides" / "service-desk.yaml"
DEFAULT_ITEMS = ("ls_dialogue_dev_3spk", "ls_dialogue_dev_ff", "ls_dialogue_dev_mf",
                 "ls_dialogue_dev_mm")  # fmt: skip
#: English items with a reference transcript (.txt), for the WER row (36 s in all)
WER_ITEMS = ("en_jfk", "en_librispeech_1272-128104-0000", "en_librispeech_2412-153948-0000",
             "en_speech_recognition_one_two_three")  # fmt: skip


@dataclass
class Words:
    """A transcript reduced to what the scoring needs (duck-types ``Transcript``)."""

    segments: list = field(default_factory=list)


@dataclass
class _Seg:
    words: list


@dataclass
class _W:
    start: float
    end: float
    speaker: str | None


# -- the naive script (child process) ---------------------------------------------------------


def naive_child(files: list[str], model_path: str) -> None:
    """Transcribe + diarize each file the way a user would by hand; print JSON."""
    import numpy as np
    import torch
    from faster_whisper import WhisperModel, decode_audio

    from journeytape.transcribe import diarize as D

    model = WhisperModel(model_path, device="cpu", compute_type="int8")
    pipeline = D.build_pipeline(D.PYANNOTE_DEFAULT)  # same models, pyannote's clustering
    out = {}
    for f in files:
        t0 = time.perf_counter()
        segments, info = model.transcribe(f, beam_size=5, vad_filter=True, word_timestamps=True)
        words = [(w.start, w.end, w.word) for s in segments for w in (s.words or [])]
        t1 = time.perf_counter()
        audio = decode_audio(f, sampling_rate=16000)
        with torch.inference_mode():
            res = pipeline({"waveform": torch.from_numpy(np.asarray(audio))[None],
                            "sample_rate": 16000})  # fmt: skip
        ann = getattr(res, "speaker_diarization", res)
        turns = [(s.start, s.end, str(lab)) for s, _, lab in ann.itertracks(yield_label=True)]
        out[f] = {"words": [(a, b, w, _most_overlap(a, b, turns)) for a, b, w in words],
                  "turns": turns, "language": info.language,
                  "timings": {"asr": t1 - t0, "diarization": time.perf_counter() - t1}}  # fmt: skip
    print("JSON" + json.dumps(out))


def _most_overlap(a: float, b: float, turns: list[tuple[float, float, str]]) -> str | None:
    overlap: dict[str, float] = {}
    for s, e, spk in turns:
        o = min(b, e) - max(a, s)
        if o > 0:
            overlap[spk] = overlap.get(spk, 0.0) + o
    return max(overlap, key=overlap.__getitem__) if overlap else None


# -- the two sides, measured -------------------------------------------------------------------


@dataclass
class Side:
    wall: float
    cpu: float
    rss: float
    results: dict  # wav -> {"words": [(start, end, text, speaker)], "turns": [...]}


def run_ours(files: list[Path], model: str, out_dir: Path) -> Side:
    exe = str(Path(sys.executable).with_name("journeytape"))
    t = Run([exe, "transcribe", *map(str, files), "--out", str(out_dir), "--model", model,
             "--force", "-q"])  # fmt: skip
    a = Run([exe, "annotate", str(out_dir), "--guide", str(GUIDE), "--force"])
    results = {}
    for f in files:
        d = json.loads((out_dir / f"{f.stem}.transcript.json").read_text())
        words = [(w["start"], w["end"], w["word"] if "word" in w else w.get("text", ""),
                  w.get("speaker")) for s in d["segments"] for w in s.get("words", [])]  # fmt: skip
        turns = [(x["start"], x["end"], x["speaker"]) for x in d.get("turns", [])]
        results[str(f)] = {"words": words, "turns": turns, "timings": d.get("timings", {})}
    missing = [f.stem for f in files if not list(out_dir.glob(f"{f.stem}*.annotations.json"))]
    if missing:
        print(f"warning: no annotations written for {missing}:\n{a.out[-1500:]}")
    return Side(t.wall + a.wall, t.cpu + a.cpu, max(t.rss, a.rss), results)


def run_naive(files: list[Path], model_path: Path) -> Side:
    r = Run([sys.executable, "-m", "bench.pipeline", "--child", "naive", "--model-path",
             str(model_path), *map(str, files)])  # fmt: skip
    return Side(r.wall, r.cpu, r.rss, json.loads(r.out[r.out.rindex("JSON") + 4 :]))


# -- scoring ------------------------------------------------------------------------------------


def words_right(result: dict, reference: list[tuple[float, float, str]]) -> tuple[int, int]:
    """Words to the right speaker: journeytape's turns (or, without any, the words) give the
    best 1:1 mapping; then ``bench.diarization.word_accuracy``."""
    ws = [_W(a, b, spk) for a, b, _, spk in result["words"]]
    turns = [_T(*t) for t in result["turns"]] or [_T(w.start, w.end, w.speaker) for w in ws
                                                  if w.speaker]  # fmt: skip
    return word_accuracy(Words([_Seg(ws)]), turns, reference, "item")


def wer(result: dict, ref_txt: Path) -> float:
    import jiwer

    hyp = normalise(" ".join(w for _, _, w, _ in result["words"]), "en")
    return jiwer.wer(normalise(ref_txt.read_text(), "en"), hyp or "<empty>")


def stage(side: Side, name: str) -> float:
    """Seconds spent in one stage, summed over the files (NaN when not reported)."""
    total = sum(r.get("timings", {}).get(name) or 0.0 for r in side.results.values())
    return total or float("nan")


# -- main -------------------------------------------------------------------------------------


def pick_files(eval_dir: Path, long_minutes: float) -> list[tuple[Path, Path | None]]:
    """(wav, rttm) pairs: the four ls_dialogue_dev_* wavs, the WER items (no RTTM), plus the
    long interview."""
    pairs: list[tuple[Path, Path | None]] = [
        (eval_dir / i / f"{i}.wav", eval_dir / i / f"{i}.rttm") for i in DEFAULT_ITEMS
    ]
    pairs += [(eval_dir / i / f"{i}.wav", None) for i in WER_ITEMS]
    pairs = [p for p in pairs if p[0].is_file()]
    if long_minutes > 0:
        from bench.speaker_data import build

        folder = next(f for f in build(long_minutes) if f.name.startswith("gen_long"))
        pairs.append((folder / f"{folder.name}.wav", folder / f"{folder.name}.rttm"))
    return pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="base")
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument(
        "--long-minutes",
        type=float,
        default=0.0,
        help="add a long two-voice interview of real voices (bench.speaker_data)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--model-path", help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "naive":
        naive_child(args.files, args.model_path)
        return 0
    if not args.eval.is_dir():
        print(f"SKIP: evaluation set not found at {args.eval} (set JOURNEYTAPE_EVAL)")
        return 0

    import soundfile

    from journeytape.models.registry import resolve_asr_model

    pairs = pick_files(args.eval, args.long_minutes)
    if not pairs:
        print(f"SKIP: no ls_dialogue_dev_* wav files in {args.eval}")
        return 0
    files = [w for w, _ in pairs]
    audio = sum(soundfile.info(str(w)).duration for w in files)
    model = resolve_asr_model(args.model)
    cores = os.cpu_count() or 1
    print(f"{len(files)} files, {audio:.0f} s of audio; model {model.name} int8; {cores} cores; "
          f"load average at start {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        t0 = time.perf_counter()
        ours = run_ours(files, args.model, Path(tmp) / "out")
        print(f"ours done ({time.perf_counter() - t0:.0f} s)", flush=True)
    t0 = time.perf_counter()
    naive = run_naive(files, model.path)
    print(f"naive done ({time.perf_counter() - t0:.0f} s)", flush=True)

    score = {name: scores(side, pairs) for name, side in (("ours", ours), ("naive", naive))}
    report(ours, naive, score, audio, cores)
    report_long(ours, naive, pairs)
    return 0


#: files at least this long (seconds) get their own row: there, per-file fixed costs vanish
LONG_FILE = 600.0


def report_long(ours: Side, naive: Side, pairs: list[tuple[Path, Path | None]]) -> None:
    """One row per long file, from its own stage times (no process start, no model loading,
    no annotate: 4 s for 60 minutes): the ratio the totals above hide under the short files'
    fixed costs. ours = decode + ASR + diarization; naive = its ASR + diarization."""
    import soundfile

    from bench.speaker_data import read_rttm

    rows = []
    for wav, rttm in pairs:
        seconds = soundfile.info(str(wav)).duration
        if seconds < LONG_FILE:
            continue
        o, n = ours.results[str(wav)], naive.results[str(wav)]
        t_o = o["timings"].get("total") or float("nan")
        t_n = sum(n["timings"].get(k) or 0.0 for k in ("asr", "diarization")) or float("nan")
        words = [words_right(r, read_rttm(rttm)) if rttm else (0, 0) for r in (o, n)]
        share = [r / k if k else float("nan") for r, k in words]
        rows.append((wav.stem, seconds, t_o, t_n, share))
    if not rows:
        return
    print(f"\n{'long file (own stage times)':<29}{'ours':>9}{'naive':>9}{'ours/naive':>12}")
    for name, seconds, t_o, t_n, share in rows:
        print(f"{name} ({seconds / 60:.1f} min)")
        for label, a, b in (("  seconds", t_o, t_n), ("  speed (x RT)", seconds / t_o,
                            seconds / t_n), ("  words to right speaker", *share)):  # fmt: skip
            fmt = ".1%" if "words" in label else ".1f"
            print(f"{label:<29}{a:>9{fmt}}{b:>9{fmt}}{a / b:>12.2f}")


def scores(side: Side, pairs: list[tuple[Path, Path | None]]) -> tuple[float, int, float | None]:
    """(share of words to the right speaker, words scored, mean WER or None)."""
    from bench.speaker_data import read_rttm

    right = n = 0
    for wav, rttm in pairs:
        if rttm is not None:
            r, k = words_right(side.results[str(wav)], read_rttm(rttm))
            right, n = right + r, n + k
    refs = [w for w, _ in pairs if w.with_suffix(".txt").is_file()]
    wers = [wer(side.results[str(w)], w.with_suffix(".txt")) for w in refs]
    return right / n if n else float("nan"), n, sum(wers) / len(wers) if wers else None


def report(ours: Side, naive: Side, score: dict, audio: float, cores: int) -> None:
    rows = [
        ("wall time (s)", ours.wall, naive.wall),
        ("speed, end to end (x RT)", audio / ours.wall, audio / naive.wall),
        ("  ASR alone (x RT)", audio / stage(ours, "asr"), audio / stage(naive, "asr")),
        ("  diarization alone (x RT)", audio / stage(ours, "diarization"),
         audio / stage(naive, "diarization")),
        ("speed, idle estimate (x RT)", audio / (ours.cpu / cores), audio / (naive.cpu / cores)),
        ("CPU time (s)", ours.cpu, naive.cpu),
        ("peak RSS (MiB)", ours.rss, naive.rss),
        ("words to right speaker", score["ours"][0], score["naive"][0]),
    ]  # fmt: skip
    print(f"\n{'':<29}{'ours':>9}{'naive':>9}{'ours/naive':>12}")
    for label, a, b in rows:
        fmt = ".1%" if "words" in label else ".1f"
        print(f"{label:<29}{a:>9{fmt}}{b:>9{fmt}}{a / b:>12.2f}")
    w_o, w_n = score["ours"][2], score["naive"][2]
    print(
        f"{'WER':<29}"
        + (
            f"{w_o:>9.3f}{w_n:>9.3f}" + (f"{w_o / w_n:>12.2f}" if w_n else f"{'-':>12}")
            if w_o is not None
            else f"{'-':>9}{'-':>9}   (no reference .txt for these files)"
        )
    )
    print(f"words scored: ours {score['ours'][1]}, naive {score['naive'][1]}; "
          f"ASR / diarization alone: summed per-file stage times (no loading); "
          f"load average at end {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
