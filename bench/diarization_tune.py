"""Grid search of the diarization clustering parameters on the AMI training excerpts.

    .venv/bin/python -m bench.diarization_tune [--step 0.5] [--items trn]

How the shipped ``TUNED`` values were chosen: segmentation and embeddings are computed once
per item (pyannote's training cache), then every clustering setting is scored by DER pooled
over the ``ami_pyannote_trn*`` items (collar 0, honouring .uem) with the number of speakers
*estimated*. ``dev00`` is held out for the bench. Reads ../shared/eval in place.
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import replace

from bench.diarization import ami_items, load_item, score
from journeytape.transcribe import diarize as D


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=float, default=0.5)
    ap.add_argument("--items", default="trn", help="substring of AMI item ids to use")
    ap.add_argument("--no-exclude-overlap", action="store_true")
    ap.add_argument("--frames", type=int, default=D.TUNED.embedding_frames or 0,
                    help="embedding_frames (0 = all frames)")  # fmt: skip
    args = ap.parse_args()
    D.set_threads(0)
    base = replace(
        D.TUNED,
        segmentation_step=args.step,
        exclude_overlap=not args.no_exclude_overlap,
        embedding_frames=args.frames or None,
    )
    pipeline = D.build_pipeline(base)
    pipeline.training = True  # keep segmentations + embeddings in each file dict
    items = [load_item(i) for i in ami_items() if args.items in i]
    held_out = [load_item(i) for i in ami_items() if "dev" in i]  # reported, never chosen by
    files = {
        it.id: {
            "waveform": it.waveform[None],
            "sample_rate": 16000,
            "uri": it.id,
            "annotation": None,
        }  # fmt: skip
        for it in items + held_out
    }
    t = time.time()
    grid = itertools.product(
        ["average", "centroid"],
        [0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8],
        [3],
        [0.0],
    )
    results = []
    for method, thr, mcs, off in grid:
        p = replace(base, method=method, threshold=thr, min_cluster_size=mcs, min_duration_off=off)
        pipeline.instantiate(p.pyannote_parameters())
        hyps = {}
        for it in items + held_out:
            f = files[it.id]
            f.pop("annotation", None)
            out = pipeline(f)
            hyps[it.id] = out.speaker_diarization
        der0, _ = score(items, hyps, collar=0.0)
        dev0 = score(held_out, hyps, collar=0.0)[0] if held_out else float("nan")
        results.append((der0, method, thr, mcs, off, dev0))
        print(
            f"{method:9s} thr={thr:.2f} mcs={mcs:2d} off={off:.1f}  DER={der0:.4f} "
            f"(held-out dev: {dev0:.4f})",
            flush=True,
        )
    results.sort()
    print(f"\nbest on {len(items)} items ({time.time() - t:.0f} s):")
    for r in results[:10]:
        der, method, thr, mcs, off, dev = r
        print(
            f"  DER={der:.4f} {method=} threshold={thr:.2f} {mcs=} {off=} step={args.step} "
            f"frames={args.frames}  (held-out dev {dev:.4f})"
        )


if __name__ == "__main__":
    main()
