"""Accuracy of the annotator on labelled interviews: the project's development set
(bench/annotate_devset/) and the independent corpus (bench/corpus/).

    .venv/bin/python -m bench.annotate [--details] [--match turn|value|spans] [--lang nl]
                                       [--no-corpus] [--split dev|test|both]

Prints precision, recall and F1 per label and language for the **dev** split (the devset's
``dev`` and ``heldout`` files and the corpus's ``# split: dev`` files) and separately for the
**test** split (corpus ``# split: test``: frozen, never used for tuning — ``--details`` lists
misses and false alarms for dev interviews only, so nobody tunes on test by reading it), plus
checklist coverage and the time per interview.

Each interview is annotated with its own guide: ``# journey: X`` → ``bench/corpus/guides/X.yaml``;
no journey → ``--guide`` (the shipped service-desk example).

Matching (``--match``):

* ``turn`` (default) is the codebook's rule (``../shared/CODEBOOK.md``, "General") and the one
  issue #20 scores by: *the right label in the right turn counts*. Per label, the turns with a
  gold tag and the turns with a predicted tag are compared as sets; several tags of a label in
  one turn count once.
* ``value`` is stricter, per tag: a predicted tag is correct when a gold tag of the same label
  in the same segment agrees on the value: the checklist item (CHANNEL/TOUCHPOINT), the
  polarity after negation and sarcasm, ``+``/``-``/``0`` (EMOTION), the 0–10 score and, when
  given, overall/moment (SCORE), met/unmet/exceeded (EXPECTATION), high/low (PEAK); any value
  for GOAL. Each gold tag matches at most one prediction; overlapping golds are preferred, so
  the pairing is the one a reader would make. This is what a researcher reading the values
  sees, and where EXPECTATION's status shows.
* ``spans`` is ``value`` plus overlapping spans.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from journeytape.annotate.annotations import LABELS, Tag
from journeytape.annotate.devtext import DevInterview, GoldSpan, load_devset
from journeytape.guide import Guide, example_guide_path, load_guide

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "annotate_devset"
CORPUS = HERE / "corpus"
#: |polarity| below this is neutral ("0"): a negated negative feeling ("wasn't angry")
NEUTRAL_BELOW = 0.05


def emotion_sign(tag: Tag) -> str:
    pol = float(tag.attrs.get("polarity", 0) or 0)
    return "+" if pol >= NEUTRAL_BELOW else "-" if pol <= -NEUTRAL_BELOW else "0"


def overlaps(tag: Tag, gold: GoldSpan) -> bool:
    return tag.start_char < gold.end_char and gold.start_char < tag.end_char


def agrees(tag: Tag, gold: GoldSpan, spans: bool = False) -> bool:
    """Same label and value (and, with ``spans``, overlapping text) — see the module doc."""
    if tag.label != gold.label:
        return False
    if spans and not overlaps(tag, gold):
        return False
    g = gold.value
    if tag.label == "GOAL" or g is None:
        return True
    if tag.label == "EMOTION":
        return g.split(":")[-1] == emotion_sign(tag)
    if tag.label == "SCORE":
        val, _, scope = g.partition(":")
        if abs(float(tag.value or -99) - float(val)) > 0.51:
            return False
        return not scope or tag.attrs.get("scope") == scope
    return tag.value == g


MATCHES = ("turn", "value", "spans")


def score_interview(
    tags: list[Tag], gold: dict[int, list[GoldSpan]], counts, details=None, match: str = "turn"
):
    """Add true positives / false positives / false negatives per label to ``counts``."""
    for label in LABELS:
        preds = [t for t in tags if t.label == label]
        golds = [(sid, g) for sid, gs in gold.items() for g in gs if g.label == label]
        if match == "turn":
            _score_turns(label, preds, golds, counts[label], details)
        else:
            _score_tags(label, preds, golds, counts[label], details, spans=match == "spans")


def _score_turns(label: str, preds: list[Tag], golds, c: dict, details) -> None:
    """The codebook's rule: the label in the right turn counts, once per turn."""
    pred_turns = {t.segment_id: t for t in preds}
    gold_turns = {sid: g for sid, g in golds}
    c["tp"] += len(pred_turns.keys() & gold_turns.keys())
    for sid in sorted(pred_turns.keys() - gold_turns.keys()):
        c["fp"] += 1
        if details is not None:
            t = pred_turns[sid]
            details.append(f"  FP {label:11} seg {sid:2} {t.value!s:16} {t.text!r}")
    for sid in sorted(gold_turns.keys() - pred_turns.keys()):
        c["fn"] += 1
        if details is not None:
            g = gold_turns[sid]
            details.append(f"  FN {label:11} seg {sid:2} {g.value!s:16} {g.text!r}")


def _score_tags(label: str, preds: list[Tag], golds, c: dict, details, spans: bool) -> None:
    """Per tag, value agreeing: each gold tag matches at most one prediction."""
    used: set[int] = set()
    # overlapping pairs first, so a tag takes "its" gold before a neighbour in the turn
    preds.sort(key=lambda t: not any(sid == t.segment_id and overlaps(t, g) for sid, g in golds))
    for t in preds:
        cands = [
            k
            for k, (sid, g) in enumerate(golds)
            if k not in used and sid == t.segment_id and agrees(t, g, spans)
        ]
        cands.sort(key=lambda k: not overlaps(t, golds[k][1]))
        if not cands:
            c["fp"] += 1
            if details is not None:
                details.append(f"  FP {label:11} seg {t.segment_id:2} {t.value!s:16} {t.text!r}")
        else:
            used.add(cands[0])
            c["tp"] += 1
    for k, (sid, g) in enumerate(golds):
        if k not in used:
            c["fn"] += 1
            if details is not None:
                details.append(f"  FN {label:11} seg {sid:2} {g.value!s:16} {g.text!r}")


def prf(c: dict[str, int]) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def load_interviews(devset: Path | None, corpus: Path | None) -> list[DevInterview]:
    """The devset (its ``heldout`` files count as dev) and the corpus interviews, if present."""
    out: list[DevInterview] = []
    if devset and devset.is_dir():
        out += load_devset(devset)
    if corpus and (corpus / "interviews").is_dir():
        out += load_devset(corpus / "interviews")
    return out


def guide_for(d: DevInterview, corpus: Path | None, default: Guide, cache: dict) -> Guide:
    if not d.journey:
        return default
    if d.journey not in cache:
        path = (corpus or CORPUS) / "guides" / f"{d.journey}.yaml"
        if not path.is_file():
            raise SystemExit(f"{d.name}: no guide {path} for journey {d.journey!r}")
        cache[d.journey] = load_guide(path)
    return cache[d.journey]


def group(d: DevInterview) -> str:
    return "test" if d.split == "test" else "dev"


def print_tables(interviews: list[DevInterview], counts) -> None:
    langs = sorted({d.language for d in interviews})
    for split in ("dev", "test"):
        mine = [d for d in interviews if group(d) == split]
        if not mine:
            continue
        journeys = sorted({d.journey or "service-desk" for d in mine})
        print(f"## {split} ({len(mine)} interviews; journeys: {', '.join(journeys)})\n")
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guide", default=str(example_guide_path()), help="guide without a journey")
    ap.add_argument("--devset", default=str(DEVSET))
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--no-devset", action="store_true", help="score the corpus only")
    ap.add_argument("--no-corpus", action="store_true", help="score the devset only")
    ap.add_argument("--lang", help="only this language")
    ap.add_argument(
        "--match",
        choices=MATCHES,
        default="turn",
        help="turn: the label in the right turn (the codebook's rule); value: per tag, the "
        "value must agree too; spans: value plus overlapping spans",
    )
    ap.add_argument("--details", action="store_true", help="list misses and false alarms (dev)")
    ap.add_argument(
        "--split",
        choices=("dev", "test", "both"),
        default="both",
        help="score only this split (tune with --split dev so test numbers are not even seen)",
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from journeytape.annotate.annotator import Annotator

    corpus = None if args.no_corpus else Path(args.corpus)
    interviews = load_interviews(None if args.no_devset else Path(args.devset), corpus)
    if args.lang:
        interviews = [d for d in interviews if d.language == args.lang]
    if args.split != "both":
        interviews = [d for d in interviews if group(d) == args.split]
    default = load_guide(args.guide)
    guides: dict[str, Guide] = {}
    annotators: dict[int, Annotator] = {}
    t0 = time.perf_counter()
    for d in interviews:  # load pipelines and compile guides outside the timing
        g = guide_for(d, corpus, default, guides)
        annotators.setdefault(id(g), Annotator(g)).for_language(d.language)
    load_s = time.perf_counter() - t0

    # (split, lang) -> label -> counts; coverage likewise
    counts = defaultdict(lambda: defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0}))
    seconds = 0.0
    details: list[str] = []
    for d in interviews:
        annotator = annotators[id(guide_for(d, corpus, default, guides))]
        t = time.perf_counter()
        ann = annotator.annotate(d.transcript, d.name)
        seconds += time.perf_counter() - t
        lines: list[str] = []
        key = (group(d), d.language)
        score_interview(ann.tags, d.gold, counts[key], lines, match=args.match)
        gold_items = {
            g.value for gs in d.gold.values() for g in gs if g.label in ("CHANNEL", "TOUCHPOINT")
        }
        cov = counts[key]["COVERAGE"]
        for c in ann.coverage:
            if c.covered and c.item in gold_items:
                cov["tp"] += 1
            elif c.covered:
                cov["fp"] += 1
                lines.append(f"  coverage FP {c.item}")
            elif c.item in gold_items:
                cov["fn"] += 1
                lines.append(f"  coverage FN {c.item}")
        if args.details and lines and group(d) == "dev":
            details.append(f"{d.name} ({d.split}, {d.style or '-'}, {ann.pipeline['name']}):")
            details.extend(lines)

    if details:
        print("\n".join(details) + "\n")
    if args.details and any(group(d) == "test" for d in interviews):
        print("(test split: frozen — no details are printed for it)\n")
    print_tables(interviews, counts)
    per = seconds / max(len(interviews), 1)
    print(
        f"pipelines loaded in {load_s:.1f} s; annotation {per * 1000:.0f} ms per interview "
        f"({len(interviews)} interviews; matching: {args.match})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
