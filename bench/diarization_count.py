"""How many speakers? Study and tune the speaker-count rule on cached embeddings.

    .venv/bin/python -m bench.diarization_count [--tune] [--groups ls_dev,ami,gen,espeak]

Segmentation and CAM++ embeddings are computed once per item with the shipped window
settings and cached (``bench.speaker_data.CACHE``/emb). Then, for every item, the clustering
is re-run for each forced count k = 1..4 (DER at collar 0.25 for each), and the evidence the
count rule of :mod:`journeytape.transcribe.speaker_count` sees is printed next to the truth.
``--tune`` grids the rule's constants on the items that are not held out
(``bench.speaker_data.is_held_out``) and reports the held-out items separately.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
from dataclasses import replace

from bench import speaker_data as G
from bench.speaker_items import SpeakerItem, eval_items


def _annotation(turns, uri: str):
    from pyannote.core import Annotation, Segment

    a = Annotation(uri=uri)
    for s, e, spk in turns:
        a[Segment(s, e)] = spk
    return a


def der(item: SpeakerItem, hyp, collar: float = 0.25) -> tuple[float, float]:
    """(errors, total reference seconds) of one item, inside its UEM."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    m = DiarizationErrorRate(collar=collar, skip_overlap=False)
    d = m(_annotation(item.reference, item.id), hyp, uem=Timeline([Segment(*item.uem)]),
          detailed=True)  # fmt: skip
    return d["confusion"] + d["false alarm"] + d["missed detection"], d["total"]


def cached_file(item: SpeakerItem, pipeline) -> dict:
    """pyannote's file dict with the training cache (segmentation + embeddings) filled."""
    import torch

    path = G.CACHE / "emb" / f"{item.id}.pkl"
    if path.exists():
        cache = pickle.loads(path.read_bytes())
    else:
        f = {"waveform": torch.from_numpy(item.samples)[None], "sample_rate": 16000,
             "uri": item.id}  # fmt: skip
        pipeline.training = True
        pipeline(f)
        cache = {k: v for k, v in f.items() if k.startswith("training_cache")}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(cache))
    return {"waveform": None, "sample_rate": 16000, "uri": item.id, **cache}


#: turn smoothing searched jointly with the count rule (transcribe/turns.py)
SMOOTH_GRID = {"fill_gap": [0.0, 0.5, 1.0, 1.5], "pad": [0.0, 0.1, 0.2, 0.3]}


def item_rows(items: list[SpeakerItem], verbose: bool = True) -> list[tuple]:
    """(item, {k: turns}, evidence) per item, from cached segmentations and embeddings."""
    import torch

    from journeytape.transcribe import diarize as D
    from journeytape.transcribe import speaker_count as SC
    from journeytape.transcribe.merge import Turn

    pipeline = D.build_pipeline(D.TUNED)
    rows = []
    for it in items:
        f = cached_file(it, pipeline)
        f["waveform"] = torch.from_numpy(it.samples)[None]
        pipeline.training = True
        hyps = {}
        for k in (1, 2, 3, 4):
            out = pipeline(dict(f), num_speakers=k)
            hyps[k] = [Turn(s.start, s.end, str(lab)) for s, _, lab
                       in out.speaker_diarization.itertracks(yield_label=True)]  # fmt: skip
        ev = SC.evidence(f["training_cache/embeddings"]["embeddings"],
                         f["training_cache/segmentation"])  # fmt: skip
        rows.append((it, hyps, ev))
        if verbose:
            ders = {k: der(it, _hyp(it, t)) for k, t in hyps.items()}
            print(f"{it.id:28s} true={it.num_speakers} "
                  + " ".join(f"k{k}={e / max(t, 1e-9):.3f}" for k, (e, t) in ders.items())
                  + " | " + SC.describe(ev), flush=True)  # fmt: skip
    pipeline.training = False
    return rows


def _hyp(it: SpeakerItem, turns, fill_gap: float = 0.0, pad: float = 0.0):
    from journeytape.transcribe.turns import smooth_turns

    turns = smooth_turns(turns, fill_gap=fill_gap, pad=pad, duration=it.duration)
    return _annotation([(t.start, t.end, t.speaker) for t in turns], it.id)


def main(argv: list[str] | None = None) -> int:
    from journeytape.transcribe import diarize as D

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", default="ls_dev,ami,gen,espeak")
    ap.add_argument("--tune", action="store_true")
    args = ap.parse_args(argv)
    D.set_threads(0)
    rows = item_rows(eval_items(tuple(args.groups.split(","))))
    if args.tune:
        tune(rows)
    return 0


def tune(rows) -> None:
    """Choose the count rule (wrong counts off AMI first) and the smoothing (pooled DER at
    collar 0.25 over ls_dev + AMI training items) on the items that are not held out."""
    from journeytape.transcribe import speaker_count as SC

    train = [r for r in rows if not r[0].held_out]
    held = [r for r in rows if r[0].held_out]
    # DER per (item, k, smoothing), computed once
    table: dict[tuple, tuple[float, float]] = {}
    for it, hyps, _ in rows:
        for k, turns in hyps.items():
            for fg, pad in itertools.product(*SMOOTH_GRID.values()):
                table[(it.id, k, fg, pad)] = der(it, _hyp(it, turns, fg, pad))
    smooth = (D_FILL, D_PAD)
    results = []
    for values in itertools.product(*SC.GRID.values()):
        rule = replace(SC.DEFAULT_RULE, **dict(zip(SC.GRID, values, strict=True)))
        results.append((_loss(train, rule, table, smooth), _loss(held, rule, table, smooth), rule))
    results.sort(key=lambda r: (r[0][0], r[0][1]))
    print(
        f"\ncount rules ranked on {len(train)} tuning items (wrong counts off AMI, AMI DER "
        f"c.25, interview DER c.25; smoothing fill {smooth[0]} pad {smooth[1]}):"
    )
    for tr, ho, rule in results[:12]:
        print(f"  train {tr}\n     held-out {ho}\n     {rule}")
    print(
        f"  shipped: train {_loss(train, SC.DEFAULT_RULE, table, smooth)}\n"
        f"     held-out {_loss(held, SC.DEFAULT_RULE, table, smooth)}"
    )
    print(
        "\nsmoothing (shipped count rule), pooled DER c.25 train AMI / train interviews / "
        "held-out interviews:"
    )
    for fg, pad in itertools.product(*SMOOTH_GRID.values()):
        tr = _loss(train, SC.DEFAULT_RULE, table, (fg, pad))
        ho = _loss(held, SC.DEFAULT_RULE, table, (fg, pad))
        print(f"  fill {fg:.1f} pad {pad:.1f}: {tr[1]:.4f} / {tr[2]:.4f} / {ho[2]:.4f}")


#: the shipped smoothing (transcribe/diarize.py DiarizationParams)
D_FILL, D_PAD = 1.5, 0.2  # = DiarizationParams.fill_gap, turn_pad


def _loss(rows, rule, table, smooth) -> tuple[int, float, float, list[str]]:
    from journeytape.transcribe import speaker_count as SC

    wrong, bad = 0, []
    acc = {"ami": [0.0, 0.0], "other": [0.0, 0.0]}
    for it, _, ev in rows:
        k = min(SC.decide(ev, rule=rule).count, 4)
        e, t = table[(it.id, k, *smooth)]
        a = acc["ami" if it.group == "ami" else "other"]
        a[0], a[1] = a[0] + e, a[1] + t
        # AMI excerpts are 30 s in which some of 3-4 people say a few words: their count is
        # judged by DER, not by the number
        if it.group != "ami" and k != it.num_speakers:
            wrong += 1
            bad.append(it.id)
    ami, other = (round(v[0] / max(v[1], 1e-9), 4) for v in acc.values())
    return wrong, ami, other, bad


if __name__ == "__main__":
    raise SystemExit(main())
