"""Precision and recall of the interviewer-question classes on the labelled sets.

``map/data/questions_{en,nl,de}.txt``: ``label<TAB>question`` lines in three splits:
``dev`` (tuned on: written with the rules, plus the interviewer questions of the annotator's
dev interviews), ``heldout`` (after ``# heldout``: written after the rules by their author,
not tuned on) and ``external`` (after ``# split: external``: the questions of the
annotator's held-out interviews, written by another author, labelled before any rule change,
not tuned on). Prints a table per language and split; exits 1 when a class's precision in
a language falls below 0.8 on any split.

    python -m bench.interview_quality
"""

from __future__ import annotations

import sys
from importlib.resources import files

LANGS = ("en", "nl", "de")
THRESHOLD = 0.8


def load(lang: str) -> dict[str, list[tuple[str, str]]]:
    """{"dev": [(label, question)], "heldout": [...], "external": [...]}"""
    text = files("journeytape.map").joinpath(f"data/questions_{lang}.txt").read_text("utf-8")
    out: dict[str, list[tuple[str, str]]] = {"dev": [], "heldout": [], "external": []}
    split = "dev"
    for line in text.splitlines():
        if line.strip() == "# heldout":
            split = "heldout"
        elif line.startswith("# split:"):
            split = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            label, question = line.split("\t", 1)
            out[split].append((label.strip(), question.strip()))
    return out


def scores(items: list[tuple[str, str]], lang: str) -> dict[str, dict[str, float | None]]:
    """Per class: precision, recall, support; plus the misclassified questions."""
    from journeytape.map.quality import CLASSES, classify

    pred = [(gold, classify(q, lang), q) for gold, q in items]
    out: dict[str, dict] = {}
    for c in CLASSES:
        tp = sum(1 for g, p, _ in pred if g == c and p == c)
        n_pred = sum(1 for _, p, _ in pred if p == c)
        n_gold = sum(1 for g, _, _ in pred if g == c)
        out[c] = {
            "precision": tp / n_pred if n_pred else None,
            "recall": tp / n_gold if n_gold else None,
            "support": n_gold,
        }
    out["errors"] = [(q, g, p) for g, p, q in pred if g != p]
    return out


def main(argv: list[str]) -> int:
    status = 0
    for lang in LANGS:
        data = load(lang)
        for split in ("dev", "heldout", "external", "all"):
            items = [x for v in data.values() for x in v] if split == "all" else data[split]
            s = scores(items, lang)
            cells = []
            for c in ("open", "closed", "leading", "hypothetical"):
                p, r = s[c]["precision"], s[c]["recall"]
                ptxt = "–" if p is None else f"{p:.2f}"
                rtxt = "–" if r is None else f"{r:.2f}"
                cells.append(f"{c} P={ptxt} R={rtxt} n={s[c]['support']}")
                if p is not None and p < THRESHOLD:
                    status = 1
            print(f"{lang} {split:8s} " + " | ".join(cells))
            if split in ("heldout", "external"):
                for q, g, p in s["errors"]:
                    print(f"    {lang} {split} miss: {q!r} gold={g} got={p}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
