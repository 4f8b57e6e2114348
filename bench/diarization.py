"""Speaker diarization benchmark: DER on AMI, word attribution, speed and memory.

    .venv/bin/python -m bench.diarization [--long-minutes 10] [--no-long] [--no-asr]

In one run, on the same machine:

1. DER (pyannote.metrics; collar 0 and 0.25 s; scored inside each item's .uem) pooled over
   the AMI excerpts of ../shared/eval, for journeytape's tuned settings and for the same
   pyannote pipeline with the same models at pyannote's default clustering settings (the
   baseline), each with the number of speakers given and estimated; "dev" is the held-out
   dev00 item, "all" every AMI item (trn* were used for tuning).
2. The fraction of words attributed to the right speaker, where an .stm reference exists.
3. The real-time factor of the whole transcribe+diarize run on the AMI items.
4. A long synthetic two-voice interview (espeak-ng turns concatenated with pauses): RTF of
   transcribe+diarize and peak RSS, measured in a child process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("JOURNEYTAPE_EVAL", REPO.parent / "shared" / "eval"))
SR = 16000


@dataclass
class Item:
    id: str
    wav: Path
    waveform: object  # torch.Tensor (samples,)
    reference: object  # pyannote.core.Annotation
    uem: object  # pyannote.core.Timeline
    stm: Path | None

    @property
    def num_speakers(self) -> int:
        return len(self.reference.labels())

    @property
    def duration(self) -> float:
        return len(self.waveform) / SR


def ami_items() -> list[str]:
    if not EVAL.is_dir():
        return []
    return sorted(p.name for p in EVAL.iterdir() if p.name.startswith("ami_") and p.is_dir())


def load_item(item_id: str) -> Item:
    import soundfile as sf
    import torch
    from pyannote.core import Annotation, Segment, Timeline

    folder = EVAL / item_id
    x, sr = sf.read(folder / f"{item_id}.wav", dtype="float32", always_2d=True)
    assert sr == SR, f"{item_id}: expected 16 kHz"
    ref = Annotation(uri=item_id)
    for line in (folder / f"{item_id}.rttm").read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            ref[Segment(float(f[3]), float(f[3]) + float(f[4]))] = f[7]
    uem = Timeline(uri=item_id)
    uem_path = folder / f"{item_id}.uem"
    if uem_path.exists():
        for line in uem_path.read_text().splitlines():
            f = line.split()
            if len(f) >= 4:
                uem.add(Segment(float(f[2]), float(f[3])))
    else:
        uem.add(Segment(0, len(x) / SR))
    stm = folder / f"{item_id}.stm"
    return Item(
        item_id,
        folder / f"{item_id}.wav",
        torch.from_numpy(x.mean(axis=1)),
        ref,
        uem,
        stm if stm.exists() else None,
    )


def to_annotation(turns, uri: str):
    from pyannote.core import Annotation, Segment

    a = Annotation(uri=uri)
    for t in turns:
        a[Segment(t.start, t.end)] = t.speaker
    return a


def score(items: list[Item], hyps: dict, collar: float = 0.0) -> tuple[float, dict]:
    """Pooled DER over items (total errors / total reference speech) and its components."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    for it in items:
        metric(it.reference, hyps[it.id], uem=it.uem)
    detail = metric[:]  # accumulated components
    total = detail["total"] or 1.0
    parts = {k: detail[k] / total for k in ("false alarm", "missed detection", "confusion")}
    return abs(metric), parts


# -- 1. DER -----------------------------------------------------------------------------------


def run_der(items: list[Item]) -> list[dict]:
    from journeytape.transcribe import diarize as D

    rows = []
    for name, params in (("journeytape", D.TUNED), ("pyannote-default", D.PYANNOTE_DEFAULT)):
        D.build_pipeline(params)  # load outside the timing
        D.diarize_samples(items[0].waveform.numpy()[: SR * 5], params=params)  # warm up
        for given in (False, True):
            hyps, t, counts = {}, time.perf_counter(), {}
            for it in items:
                d = D.diarize_samples(
                    it.waveform.numpy(),
                    num_speakers=it.num_speakers if given else None,
                    params=params,
                )
                hyps[it.id] = to_annotation(d.turns, it.id)
                counts[it.id] = (len(d.speakers), it.num_speakers)
            seconds = time.perf_counter() - t
            audio = sum(it.duration for it in items)
            row = {"settings": name, "speakers": "given" if given else "estimated",
                   "rtf_x": audio / seconds}  # fmt: skip
            for subset, sel in (("dev", [i for i in items if "dev" in i.id]), ("all", items)):
                if not sel:
                    continue
                for collar in (0.0, 0.25):
                    der, parts = score(sel, hyps, collar)
                    row[f"{subset}_der_c{collar:g}"] = der
                    if collar == 0.0:
                        row[f"{subset}_parts"] = parts
            row["count_exact"] = sum(a == b for a, b in counts.values()) / len(counts)
            row["counts"] = counts
            rows.append(row)
    return rows


def print_der(rows: list[dict]) -> None:
    print("\nDER pooled over AMI excerpts (dev = held-out dev00; all = dev00 + trn*)")
    head = (f"{'settings':18s} {'speakers':9s} {'dev c0':>7s} {'dev c.25':>8s} {'all c0':>7s} "
            f"{'all c.25':>8s} {'#spk ok':>7s} {'diar x RT':>9s}")  # fmt: skip
    print(head)
    for r in rows:
        print(
            f"{r['settings']:18s} {r['speakers']:9s} {r.get('dev_der_c0', float('nan')):7.3f} "
            f"{r.get('dev_der_c0.25', float('nan')):8.3f} {r['all_der_c0']:7.3f} "
            f"{r['all_der_c0.25']:8.3f} {r['count_exact']:7.0%} {r['rtf_x']:9.1f}"
        )
    by = {(r["settings"], r["speakers"]): r for r in rows}
    print("\nratios journeytape / pyannote-default (lower DER is better, higher speed is better):")
    for spk in ("estimated", "given"):
        a, b = by[("journeytape", spk)], by[("pyannote-default", spk)]
        print(
            f"  speakers {spk:9s}: DER all c0 {a['all_der_c0'] / b['all_der_c0']:.2f}x, "
            f"dev c0 {a['dev_der_c0'] / max(b['dev_der_c0'], 1e-9):.2f}x, "
            f"speed {a['rtf_x'] / b['rtf_x']:.1f}x"
        )
    for r in rows:
        if r["speakers"] == "estimated":
            p = r["all_parts"]
            print(
                f"  {r['settings']}: false alarm {p['false alarm']:.3f}, missed "
                f"{p['missed detection']:.3f}, confusion {p['confusion']:.3f}; speakers found "
                f"(found, true): {' '.join(f'{k[-5:]}={v}' for k, v in r['counts'].items())}"
            )


# -- 2./3. transcribe + diarize on the AMI items --------------------------------------------------


def run_full(items: list[Item], model: str) -> dict:
    """Transcribe + diarize each AMI item with the real pipeline; RTF and word attribution."""
    from journeytape.transcribe.asr import load_model
    from journeytape.transcribe.pipeline import transcribe_file
    from journeytape.transcribe.settings import TranscribeSettings

    settings = TranscribeSettings(model=model, language="en")
    asr = load_model(settings.model, settings.compute_type, settings.threads)
    transcribe_file(items[0].wav, settings, asr)  # warm up
    total_audio = total_time = asr_time = diar_time = 0.0
    right = words = 0
    with_stm = 0
    for it in items:
        t = time.perf_counter()
        tr = transcribe_file(it.wav, settings, asr)
        total_time += time.perf_counter() - t
        total_audio += it.duration
        asr_time += tr.timings.get("asr", 0.0)
        diar_time += tr.timings.get("diarization", 0.0)
        if it.stm is not None:
            with_stm += 1
            r, n = word_attribution(tr, it)
            right, words = right + r, words + n
    return {
        "items": len(items),
        "audio_s": total_audio,
        "rtf_x": total_audio / total_time,
        "asr_x": total_audio / asr_time if asr_time else float("nan"),
        "diar_x": total_audio / diar_time if diar_time else float("nan"),
        "stm_items": with_stm,
        "word_accuracy": right / words if words else None,
    }


def word_attribution(transcript, item: Item) -> tuple[int, int]:
    """Words whose speaker (mapped optimally to reference speakers) is the reference speaker
    talking at the word's midpoint, per the .stm (speaker-attributed transcript)."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref_turns = []
    for line in item.stm.read_text().splitlines():  # type: ignore[union-attr]
        f = line.split(maxsplit=6)
        if len(f) >= 5 and not line.startswith(";;"):
            ref_turns.append((float(f[3]), float(f[4]), f[2]))
    hyp = to_annotation(
        [
            type("T", (), {"start": s.start, "end": s.end, "speaker": s.speaker})
            for s in transcript.segments
            if s.speaker
        ],  # fmt: skip
        item.id,
    )
    mapping = DiarizationErrorRate().optimal_mapping(item.reference, hyp)
    right = n = 0
    for seg in transcript.segments:
        for w in seg.words:
            mid = 0.5 * (w.start + w.end)
            truth = [spk for a, b, spk in ref_turns if a <= mid <= b]
            if not truth:
                continue
            n += 1
            right += mapping.get(w.speaker) in truth
    return right, n


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


#: the two espeak-ng voices CAM++ separates best (tests/diarize/conftest.py explains)
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


def run_long(minutes: float, model: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="jt-bench-") as tmp:
        wav = Path(tmp) / "interview.wav"
        duration, turns = make_interview(wav, minutes)
        out = subprocess.run(
            [sys.executable, "-m", "bench.diarization", "--child", str(wav), "--model", model],
            cwd=REPO, check=True, capture_output=True, text=True,
        )  # fmt: skip
    res = json.loads(out.stdout.strip().splitlines()[-1])
    timings = res["timings"]
    # words attributed to the right voice (hypothesis speakers mapped to voices by majority)
    truth = []
    for mid, spk in res["words"]:
        voice = next((v for a, b, v in turns if a - 0.3 <= mid <= b + 0.3), None)
        if voice is not None:
            truth.append((spk, voice))
    votes: dict[tuple, int] = {}
    for pair in truth:
        votes[pair] = votes.get(pair, 0) + 1
    best = {spk: max((n, v) for (s, v), n in votes.items() if s == spk)[1] for spk, _ in votes}
    right = sum(best.get(spk) == voice for spk, voice in truth)
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
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="diarization benchmark (see module docstring)")
    ap.add_argument("--long-minutes", type=float, default=10.0)
    ap.add_argument("--no-long", action="store_true")
    ap.add_argument("--no-asr", action="store_true", help="skip the transcribe+diarize runs")
    ap.add_argument("--no-der", action="store_true", help="skip the AMI DER comparison")
    ap.add_argument("--model", default="base")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.model)
        return 0
    from journeytape.transcribe.diarize import set_threads

    print(f"threads: {set_threads(0)}; eval set: {EVAL}")
    ids = ami_items()
    if not ids:
        print(f"SKIP: no AMI items in {EVAL} (set JOURNEYTAPE_EVAL)")
        return 0
    items = [load_item(i) for i in ids]
    print(f"{len(items)} AMI items, {sum(i.duration for i in items):.0f} s")
    if not args.no_der:
        print_der(run_der(items))
    if not args.no_asr:
        full = run_full(items, args.model)
        print(
            f"\ntranscribe+diarize ({args.model}, int8) on {full['items']} AMI items: "
            f"{full['rtf_x']:.1f}x real time in total (ASR {full['asr_x']:.1f}x, diarization "
            f"{full['diar_x']:.1f}x)"
        )
        if full["stm_items"]:
            print(f"words attributed to the right speaker: {full['word_accuracy']:.1%}")
        else:
            print("words attributed to the right speaker: not measured, no .stm in the eval set")
    if not args.no_long:
        r = run_long(args.long_minutes, args.model)
        print(
            f"\nlong synthetic interview ({r['minutes']:.1f} min, 2 espeak voices): "
            f"{r['total_x']:.1f}x real time in total (ASR {r['asr_x']:.1f}x, diarization "
            f"{r['diar_x']:.1f}x), peak RSS {r['rss_mb']:.0f} MB; idle-machine estimate "
            f"(audio / CPU seconds per core) {r['idle_x']:.1f}x; words attributed to the right "
            f"voice {r['word_accuracy']:.1%} of {r['words']}; speakers {r['speakers']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
