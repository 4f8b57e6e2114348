"""A learned component measured next to the rules (issue #20): does it add GOAL/EXPECTATION?

    .venv/bin/python -m bench.annotate_learned [--threshold 0.6] [--veto 0.2]

The component: a logistic regression on character 2–5-grams of respondent sentences (one model
for en/nl/de; character n-grams see inside Dutch and German compounds and need no vectors,
which only English has offline), trained on the dev split's gold GOAL / EXPECTATION sentences.
Two ways to combine it with the rules, both measured:

* **or**: a turn gets the label when the rules found it **or** a sentence scores ≥ the threshold
  (the model adds what the rules miss);
* **veto**: a rule tag is kept only when some sentence of its turn scores ≥ ``--veto`` (the
  model removes rule false alarms; a turn the rules did not tag stays untagged).

Measured at turn level (does the turn carry the label?), which is how the codebook judges tags:

* **dev**: leave-one-journey-out over the dev journeys (the model never sees the journey it is
  scored on), rules alone vs rules + model;
* **test**: trained on all of dev, scored once on the frozen test split.

Only the numbers decide whether the component ships (see docs/tagging-quality.md).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from bench.annotate import CORPUS, DEVSET, guide_for, load_interviews, prf
from journeytape.guide import example_guide_path, load_guide

LABELS = ("GOAL", "EXPECTATION")


def sentences(nlp, interview):
    """(segment id, sentence text, labels of gold spans overlapping it) of respondent turns."""
    roles = {s.id: s.role for s in interview.transcript.speakers}
    out = []
    for seg in interview.transcript.segments:
        if roles.get(seg.speaker) != "respondent":
            continue
        gold = interview.gold.get(seg.id, [])
        for sent in nlp(seg.text).sents:
            labels = {
                g.label
                for g in gold
                if g.label in LABELS
                and g.start_char < sent.end_char
                and sent.start_char < g.end_char
            }
            out.append((seg.id, f"{interview.language} {sent.text}", labels))
    return out


def turns(interview, tags) -> dict[str, set[int]]:
    """Label → segment ids that carry it (gold or predicted)."""
    out: dict[str, set[int]] = defaultdict(set)
    for t in tags:
        out[t.label].add(t.segment_id)
    return out


def train(rows, label: str):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    x = [r[1] for r in rows]
    y = [label in r[2] for r in rows]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=2000, class_weight="balanced", C=2.0),
    )
    model.fit(x, y)
    return model


NAMES = ("rules", "rules+model", "rules-veto")


def score(items, models, threshold: float, counts, veto: float = 0.2) -> None:
    """items: (interview, rule tags, sentence rows); adds tp/fp/fn for the rules alone, rules
    or model, and rules vetoed by the model."""
    for d, tags, rows in items:
        gold = defaultdict(set)
        for sid, gs in d.gold.items():
            for g in gs:
                gold[g.label].add(sid)
        rule = turns(d, tags)
        for label in LABELS:
            learned, plausible = set(), set()
            if rows and models.get(label) is not None:
                probs = models[label].predict_proba([r[1] for r in rows])[:, 1]
                learned = {r[0] for r, p in zip(rows, probs, strict=True) if p >= threshold}
                plausible = {r[0] for r, p in zip(rows, probs, strict=True) if p >= veto}
            preds = (rule[label], rule[label] | learned, rule[label] & plausible)
            for name, pred in zip(NAMES, preds, strict=True):
                c = counts[(d.language, label, name)]
                c["tp"] += len(pred & gold[label])
                c["fp"] += len(pred - gold[label])
                c["fn"] += len(gold[label] - pred)


def table(title: str, counts) -> None:
    print(
        f"## {title}\n\n| label | lang | rules P / R / F1 | rules or model P / R / F1 "
        "| rules, model veto P / R / F1 |"
    )
    print("|---|---|---|---|---|")
    for label in LABELS:
        for lang in ("de", "en", "nl"):
            cells = []
            for name in NAMES:
                p, r, f = prf(counts[(lang, label, name)])
                cells.append(f"{p:.2f} / {r:.2f} / **{f:.2f}**")
            print(f"| {label} | {lang} | " + " | ".join(cells) + " |")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--veto", type=float, default=0.2, help="keep a rule tag only above this")
    ap.add_argument("--split", choices=("dev", "both"), default="dev", help="'both' scores test")
    args = ap.parse_args(argv)

    from journeytape.annotate.annotator import Annotator

    interviews = load_interviews(DEVSET, CORPUS)
    default = load_guide(example_guide_path())
    guides: dict = {}
    annotators: dict = {}
    items = []
    for d in interviews:
        g = guide_for(d, CORPUS, default, guides)
        a = annotators.setdefault(id(g), Annotator(g))
        nlp = a.for_language(d.language).nlp
        tags = a.annotate(d.transcript, d.name).tags
        items.append((d, tags, sentences(nlp, d)))
    dev = [it for it in items if it[0].split != "test"]
    test = [it for it in items if it[0].split == "test"]

    counts = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    journeys = sorted({it[0].journey or "service-desk" for it in dev})
    for held in journeys:
        train_rows = [r for it in dev if (it[0].journey or "service-desk") != held for r in it[2]]
        models = {label: train(train_rows, label) for label in LABELS}
        score(
            [it for it in dev if (it[0].journey or "service-desk") == held],
            models,
            args.threshold,
            counts,
            args.veto,
        )
    title = f"dev, leave-one-journey-out ({len(dev)} interviews"
    table(f"{title}, threshold {args.threshold}, veto {args.veto})", counts)

    if test and args.split == "both":
        all_rows = [r for it in dev for r in it[2]]
        models = {label: train(all_rows, label) for label in LABELS}
        counts = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
        score(test, models, args.threshold, counts, args.veto)
        table(f"test, trained on all of dev ({len(test)} interviews)", counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
