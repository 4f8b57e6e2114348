"""Accuracy of the annotator on the labelled development set (bench/annotate_devset/).

    .venv/bin/python -m bench.annotate [--guide GUIDE] [--details] [--split dev|heldout]

Prints precision, recall and F1 per label and language, for the tuning interviews ("dev")
and separately for the interviews held out from rule tuning ("heldout"), plus checklist
coverage (per interview: which items were discussed at all) and the time per interview.

Matching: a predicted tag is correct when a gold tag of the same label in the same segment
overlaps it and agrees on the value: the checklist item (CHANNEL/TOUCHPOINT), the polarity
sign after negation (EMOTION), the 0–10 score and, when given, overall/moment (SCORE),
met/unmet/exceeded (EXPECTATION), high/low (PEAK); any value for GOAL. Each gold tag
matches at most one prediction.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from journeytape.annotate.annotations import LABELS, Tag
from journeytape.annotate.devtext import GoldSpan, load_devset
from journeytape.annotate.guide import example_guide_path, load_guide

DEVSET = Path(__file__).resolve().parent / "annotate_devset"


def agrees(tag: Tag, gold: GoldSpan) -> bool:
    if tag.label != gold.label:
        return False
    if not (tag.start_char < gold.end_char and gold.start_char < tag.end_char):
        return False
    g = gold.value
    if tag.label == "GOAL" or g is None:
        return True
    if tag.label == "EMOTION":
        sign = "+" if tag.attrs.get("polarity", 0) > 0 else "-"
        return g.split(":")[-1] == sign
    if tag.label == "SCORE":
        val, _, scope = g.partition(":")
        if abs(float(tag.value or -99) - float(val)) > 0.51:
            return False
        return not scope or tag.attrs.get("scope") == scope
    return tag.value == g


def score_interview(tags: list[Tag], gold: dict[int, list[GoldSpan]], counts, details=None):
    """Add true positives / false positives / false negatives per label to ``counts``."""
    for label in LABELS:
        preds = [t for t in tags if t.label == label]
        golds = [(sid, g) for sid, gs in gold.items() for g in gs if g.label == label]
        used: set[int] = set()
        for t in preds:
            match = next(
                (
                    k
                    for k, (sid, g) in enumerate(golds)
                    if k not in used and sid == t.segment_id and agrees(t, g)
                ),
                None,
            )
            if match is None:
                counts[label]["fp"] += 1
                if details is not None:
                    details.append(
                        f"  FP {label:11} seg {t.segment_id:2} {t.value!s:16} {t.text!r}"
                    )
            else:
                used.add(match)
                counts[label]["tp"] += 1
        for k, (sid, g) in enumerate(golds):
            if k not in used:
                counts[label]["fn"] += 1
                if details is not None:
                    details.append(f"  FN {label:11} seg {sid:2} {g.value!s:16} {g.text!r}")


def prf(c: dict[str, int]) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guide", default=str(example_guide_path()))
    ap.add_argument("--devset", default=str(DEVSET))
    ap.add_argument("--details", action="store_true", help="list every miss and false alarm")
    args = ap.parse_args(argv)

    from journeytape.annotate.annotator import Annotator

    guide = load_guide(args.guide)
    annotator = Annotator(guide)
    interviews = load_devset(args.devset)
    t0 = time.perf_counter()
    for lang in sorted({d.language for d in interviews}):
        annotator.for_language(lang)  # load pipelines outside the timing
    load_s = time.perf_counter() - t0

    # (split, lang) -> label -> counts; coverage likewise
    counts = defaultdict(lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0}))
    seconds = 0.0
    details: list[str] = []
    for d in interviews:
        t = time.perf_counter()
        ann = annotator.annotate(d.transcript, d.name)
        seconds += time.perf_counter() - t
        lines: list[str] = []
        score_interview(ann.tags, d.gold, counts[(d.split, d.language)], lines)
        gold_items = {
            g.value for gs in d.gold.values() for g in gs if g.label in ("CHANNEL", "TOUCHPOINT")
        }
        cov = counts[(d.split, d.language)]["COVERAGE"]
        for c in ann.coverage:
            if c.covered and c.item in gold_items:
                cov["tp"] += 1
            elif c.covered:
                cov["fp"] += 1
                lines.append(f"  coverage FP {c.item}")
            elif c.item in gold_items:
                cov["fn"] += 1
                lines.append(f"  coverage FN {c.item}")
        if args.details and lines:
            details.append(f"{d.name} ({d.split}, pipeline {ann.pipeline['name']}):")
            details.extend(lines)

    if details:
        print("\n".join(details) + "\n")
    langs = sorted({d.language for d in interviews})
    for split in ("dev", "heldout"):
        n = sum(1 for d in interviews if d.split == split)
        print(f"## {split} ({n} interviews)\n")
        print("| label | " + " | ".join(f"{lang} P / R / F1 (n)" for lang in langs) + " |")
        print("|---|" + "---|" * len(langs))
        for label in (*LABELS, "COVERAGE"):
            row = []
            for lang in langs:
                c = counts[(split, lang)][label]
                p, r, f = prf(c)
                row.append(f"{p:.2f} / {r:.2f} / **{f:.2f}** ({c['tp'] + c['fn']})")
            print(f"| {label} | " + " | ".join(row) + " |")
        print()
    per = seconds / max(len(interviews), 1)
    print(
        f"pipelines loaded in {load_s:.1f} s; annotation {per * 1000:.0f} ms per interview "
        f"({len(interviews)} interviews)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
