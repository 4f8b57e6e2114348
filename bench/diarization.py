"""Speaker diarization benchmark: interviews and AMI, per item and pooled, vs pyannote defaults.

    .venv/bin/python -m bench.diarization [--groups ls_dev,ami,gen,espeak] [--no-words]
        [--ami-given] [--full] [--long-minutes 60]

In one run, on the same machine, for journeytape's settings (``TUNED``) and for the same
pyannote pipeline with the same two models at pyannote's default clustering settings
(``PYANNOTE_DEFAULT``), speakers estimated:

1. per item and pooled per group: DER from the diarization turns (pyannote.metrics, collar 0
   and 0.25 s, scored inside each item's .uem), speakers found vs true, and time-based
   speaker-attributed words (each word Whisper recognised is given its speaker by
   ``merge.assign_speakers``; it is right when, after the best one-to-one mapping of
   hypothesis to reference speakers, its speaker is a reference speaker talking at the
   word's midpoint). Groups: ``ls_dev`` = ls_dialogue_dev_* (+ the .m4a), ``ami`` = the AMI
   excerpts (dev00 held out), ``gen`` = interviews built by ``bench/speaker_data.py`` (held
   out), ``espeak`` = the tests' espeak dialogues and sample_audio. ASR results are cached.
2. ``--ami-given``: the AMI DER table with the true count given too.
3. ``--full``: the real-time factor of the whole transcribe+diarize run on the AMI items.
4. ``--long-minutes N``: a long two-voice interview of real voices (or ``--long-espeak``):
   transcribe+diarize speed and peak RSS in a child process, words to the right voice, and
   per 10-minute window with one mapping for the whole recording (speaker ids stay stable).
"""

from __future__ import annotations

import argparse
import os
import sys
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


# -- interviews: per item, pooled, words to the right speaker ---------------------------------


def asr_transcript(item, model: str):
    """The item transcribed without speakers (cached: ASR is the slow part and does not
    depend on any diarization setting)."""
    from bench.speaker_data import CACHE
    from journeytape.transcribe.pipeline import transcribe_file
    from journeytape.transcribe.settings import TranscribeSettings
    from journeytape.transcribe.transcript import load_transcript, save_transcript

    path = CACHE / "asr" / f"{item.id}.{model}.transcript.json"
    if path.exists():
        return load_transcript(path)
    settings = TranscribeSettings(model=model, language="en", diarize=False)
    t = transcribe_file(item.path, settings, _asr_model(model))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    save_transcript(t, path)
    return t


_ASR: dict = {}


def _asr_model(model: str):
    from journeytape.transcribe.asr import load_model

    if model not in _ASR:
        _ASR[model] = load_model(model, "int8", 0)
    return _ASR[model]


def word_accuracy(transcript, turns, reference, uri: str) -> tuple[int, int]:
    """Time-based speaker-attributed words: each recognised word's speaker against the
    reference speaker(s) talking at its midpoint, after the best one-to-one mapping of
    hypothesis to reference speakers (pyannote's optimal mapping). Words at no reference
    speech are not counted."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref = to_annotation([_T(a, b, s) for a, b, s in reference], uri)
    mapping = DiarizationErrorRate().optimal_mapping(ref, to_annotation(turns, uri))
    right = n = 0
    for seg in transcript.segments:
        for w in seg.words:
            mid = 0.5 * (w.start + w.end)
            truth = {s for a, b, s in reference if a <= mid <= b}
            if truth:
                n += 1
                right += mapping.get(w.speaker) in truth
    return right, n


@dataclass
class _T:
    start: float
    end: float
    speaker: str


def item_der(item, turns, collar: float) -> tuple[float, float]:
    """(errors, reference seconds) from diarization turns, inside the item's UEM."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref = to_annotation([_T(a, b, s) for a, b, s in item.reference], item.id)
    d = DiarizationErrorRate(collar=collar, skip_overlap=False)(
        ref, to_annotation(turns, item.id), uem=Timeline([Segment(*item.uem)]), detailed=True
    )
    return d["confusion"] + d["false alarm"] + d["missed detection"], d["total"]


def settings_by_name() -> dict:
    """journeytape's settings, pyannote's defaults, and journeytape before issue #11 (the
    AMI-tuned threshold alone, frame-tight turns, no second look at pieces)."""
    from dataclasses import replace

    from journeytape.transcribe import diarize as D

    before = replace(D.TUNED, count_rule=False, cap_overlap=False, fill_gap=0.0, turn_pad=0.0,
                     refine_piece=0.0)  # fmt: skip
    return {"journeytape": D.TUNED, "pyannote-default": D.PYANNOTE_DEFAULT, "before-#11": before}


def run_interviews(
    items, model: str, words: bool = True, settings: tuple[str, ...] = ("journeytape",
                                                                       "pyannote-default")
) -> list[dict]:  # fmt: skip
    """The settings on every item: DER from turns (collar 0 / 0.25), speakers found vs
    true, words to the right speaker, diarization speed."""
    from journeytape.transcribe import diarize as D
    from journeytape.transcribe.merge import assign_speakers

    rows = []
    known = settings_by_name()
    for name, params in ((n, known[n]) for n in settings):
        D.build_pipeline(params)
        D.diarize_samples(items[0].samples[: SR * 5], params=params)  # warm up
        for it in items:
            t = time.perf_counter()
            d = D.diarize_samples(it.samples, params=params)
            seconds = time.perf_counter() - t
            row = {"settings": name, "item": it.id, "group": it.group, "seconds": seconds,
                   "audio": it.duration, "found": len(d.speakers), "true": it.num_speakers,
                   "count": d.details.get("count", {}).get("reason", "")}  # fmt: skip
            for collar in (0.0, 0.25):
                row[f"der{collar:g}"] = item_der(it, d.turns, collar)
            if words:
                tr = assign_speakers(asr_transcript(it, model), d)
                row["words"] = word_accuracy(tr, d.turns, it.reference, it.id)
                if it.num_speakers == 2 and it.group != "ami":
                    row["role"] = role_check(tr, d, it)
            rows.append(row)
            print(_fmt_row(row), flush=True)
    return rows


def role_check(transcript, diarization, item) -> tuple[bool, float | None]:
    """(interviewer right, its confidence): in the interview-shaped items the first
    reference speaker asks the questions."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    from journeytape.transcribe.roles import assign_roles

    out = assign_roles(transcript, diarization)
    ivw = next((s for s in out.speakers if s.role == "interviewer"), None)
    if ivw is None:
        return False, None
    ref = to_annotation([_T(a, b, s) for a, b, s in item.reference], item.id)
    mapping = DiarizationErrorRate().optimal_mapping(ref, to_annotation(diarization.turns, item.id))
    asker = min(item.reference)[2]
    return mapping.get(ivw.id) == asker, ivw.role_confidence


def _ratio(pair) -> float:
    return pair[0] / pair[1] if pair and pair[1] else float("nan")


def _fmt_row(r: dict) -> str:
    w = r.get("words")
    words = f"{_ratio(w):7.1%} of {w[1]:4d}" if w else " " * 15
    return (
        f"{r['settings']:16s} {r['item']:28s} {_ratio(r['der0']):6.3f} {_ratio(r['der0.25']):6.3f}"
        f" {r['found']:2d}/{r['true']:<2d} {words} {r['audio'] / r['seconds']:6.1f}x"
    )


def _pool(rows: list[dict]) -> dict:
    out = {"settings": rows[0]["settings"], "found": sum(r["found"] == r["true"] for r in rows),
           "true": len(rows), "seconds": sum(r["seconds"] for r in rows),
           "audio": sum(r["audio"] for r in rows)}  # fmt: skip
    for key in ("der0", "der0.25", "words"):
        if all(key in r for r in rows):
            out[key] = (sum(r[key][0] for r in rows), sum(r[key][1] for r in rows))
    return out


def print_interviews(rows: list[dict]) -> None:
    head = (f"{'settings':16s} {'item':28s} {'DER c0':>6s} {'c0.25':>6s} {'spk':>5s} "
            f"{'words right':>15s} {'diar':>7s}")  # fmt: skip
    print("\nper item (DER from turns inside the .uem; spk = found/true; words = time-based "
          "speaker-attributed words after the best 1:1 mapping)\n" + head)  # fmt: skip
    for r in rows:
        print(_fmt_row(r))
    roles = [r for r in rows if "role" in r]
    if roles:
        print("\ninterviewer found (2-person interview items; confidence in brackets):")
        for name in settings_by_name():
            sel = [r for r in roles if r["settings"] == name]
            if sel:
                right = sum(r["role"][0] for r in sel)
                conf = " ".join(f"{r['item'][-9:]}={'ok' if r['role'][0] else 'WRONG'}"
                                f"({r['role'][1] or 0:.2f})" for r in sel)  # fmt: skip
                print(f"  {name}: {right}/{len(sel)} right; {conf}")
    print("\npooled (spk = items whose count is right / items)\n" + head)
    groups = {
        "ls_dialogue_dev_* (4 wav)": lambda r: r["group"] == "ls_dev" and "m4a" not in r["item"],
        "AMI all 9": lambda r: r["group"] == "ami",
        "AMI dev00 (held out)": lambda r: "dev00" in r["item"],
        "generated (held out)": lambda r: r["group"] == "gen" and G_held(r["item"]),
        "espeak + samples": lambda r: r["group"] == "espeak",
    }
    for label, sel in groups.items():
        for name in settings_by_name():
            chosen = [r for r in rows if r["settings"] == name and sel(r)]
            if chosen:
                p = _pool(chosen)
                print(_fmt_row({**p, "item": label}))


def G_held(item_id: str) -> bool:  # noqa: N802 - reads like the module it wraps
    from bench.speaker_data import is_held_out

    return is_held_out(item_id)


# -- 4. long interview: bench/diarization_long.py ------------------------------------------------

from bench.diarization_long import _child, print_long, run_long  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="diarization benchmark (see module docstring)")
    ap.add_argument("--groups", default="ls_dev,ami",
                    help="item groups: ls_dev, ami, gen (generated, held out), espeak")  # fmt: skip
    ap.add_argument("--no-words", action="store_true", help="skip ASR and word attribution")
    ap.add_argument("--settings", default="journeytape,pyannote-default",
                    help="comma-separated: journeytape, pyannote-default, before-#11")  # fmt: skip
    ap.add_argument("--ami-given", action="store_true",
                    help="also the AMI rows with the true speaker count given")  # fmt: skip
    ap.add_argument("--full", action="store_true", help="transcribe+diarize speed on AMI")
    ap.add_argument("--long-minutes", type=float, default=0.0,
                    help="also a long real-voice interview of this length (slow)")  # fmt: skip
    ap.add_argument("--long-espeak", action="store_true", help="the long one with espeak voices")
    ap.add_argument("--model", default="base")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.model)
        return 0
    from bench.speaker_items import eval_items
    from journeytape.transcribe.diarize import set_threads

    print(f"threads: {set_threads(0)}; eval set: {EVAL}")
    items = eval_items(tuple(args.groups.split(",")))
    if not items:
        print(f"SKIP: no items in {EVAL} (set JOURNEYTAPE_EVAL)")
        return 0
    print(f"{len(items)} items, {sum(i.duration for i in items):.0f} s")
    rows = run_interviews(items, args.model, not args.no_words, tuple(args.settings.split(",")))
    print_interviews(rows)
    ami = [load_item(i) for i in ami_items()]
    if args.ami_given and ami:
        print_der(run_der(ami))
    if args.full and ami:
        full = run_full(ami, args.model)
        print(
            f"\ntranscribe+diarize ({args.model}, int8) on {full['items']} AMI items: "
            f"{full['rtf_x']:.1f}x real time in total (ASR {full['asr_x']:.1f}x, diarization "
            f"{full['diar_x']:.1f}x)"
        )
    if args.long_minutes > 0:
        print_long(run_long(args.long_minutes, args.model, real_voices=not args.long_espeak))
    return 0


if __name__ == "__main__":
    sys.exit(main())
