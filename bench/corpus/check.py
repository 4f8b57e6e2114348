"""Check the generalisation corpus: headers, gold values against each journey's guide, and the
codebook's structural rules (respondent-only labels, no overlapping spans of one label).

    python bench/corpus/check.py            # every file; prints tag counts per language/split

Why: the corpus is written by hand by several authors; a typo in a checklist id or a SCORE
without scope would silently count as an annotator error.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from journeytape.annotate.devtext import load_dev_interview
from journeytape.guide import load_guide

HERE = Path(__file__).resolve().parent
RESPONDENT_ONLY = {"GOAL", "EMOTION", "SCORE", "EXPECTATION", "PEAK"}
HEADERS = ("language", "split", "journey", "style", "author")
TEST_JOURNEYS = {"insurance_claim", "government_permit"}
_SCORE = re.compile(r"^(10|[0-9])(\.[0-9]+)?:(overall|moment)$")


#: what a gold value must look like, per respondent label
_VALUE_RULES = {
    "EMOTION": (lambda v: v in ("+", "-", "0"), "EMOTION must be +, - or 0"),
    "SCORE": (lambda v: bool(_SCORE.match(v or "")), "SCORE must be <0-10>:overall|moment"),
    "EXPECTATION": (
        lambda v: v in ("met", "unmet", "exceeded"),
        "EXPECTATION must be met|unmet|exceeded",
    ),
    "PEAK": (lambda v: v in ("high", "low"), "PEAK must be high|low"),
    "GOAL": (lambda v: v in (None, "indirect"), "GOAL takes no value (or indirect)"),
}


def _span_problems(g, where: str, seg, ids: dict[str, str]) -> list[str]:
    """What is wrong with one gold span: its turn, its label, its value."""
    out = []
    if g.label in RESPONDENT_ONLY and seg.speaker != "SPEAKER_01":
        out.append(f"{where}: respondent-only label in an interviewer turn")
    if g.label in ("CHANNEL", "TOUCHPOINT"):
        kind = "channel" if g.label == "CHANNEL" else "touchpoint"
        if ids.get(g.value or "") != kind:
            out.append(f"{where}: not a {kind} id of the guide")
    elif g.label in _VALUE_RULES:
        ok, message = _VALUE_RULES[g.label]
        if not ok(g.value):
            out.append(f"{where}: {message}")
    else:
        out.append(f"{where}: unknown label")
    return out


def _overlaps(sid: int, spans: list) -> list[str]:
    """Spans of one label that overlap inside a segment."""
    out = []
    by_label: dict[str, list] = {}
    for g in spans:
        by_label.setdefault(g.label, []).append(g)
    for label, gs in by_label.items():
        gs.sort(key=lambda g: g.start_char)
        for a, b in zip(gs, gs[1:], strict=False):
            if b.start_char < a.end_char:
                out.append(f"seg {sid}: {label} spans overlap: {a.text!r} / {b.text!r}")
    return out


def check_file(path: Path) -> tuple[list[str], dict]:
    """Problems found in one interview file, and its header values."""
    text = path.read_text("utf-8")
    head = dict(re.findall(r"^#\s*(\w+):\s*(.+?)\s*$", text, re.MULTILINE))
    problems = [f"missing header '# {h}:'" for h in HEADERS if h not in head]
    journey = head.get("journey", "")
    guide_path = HERE / "guides" / f"{journey}.yaml"
    if not guide_path.exists():
        return [*problems, f"no guide {guide_path.name}"], head
    want_split = "test" if journey in TEST_JOURNEYS else "dev"
    if head.get("split") != want_split:
        problems.append(f"split should be {want_split} for {journey}")
    ids = {it.id: it.kind for it in load_guide(guide_path).checklist}
    dev = load_dev_interview(path)
    n = len(dev.transcript.segments)
    if not 20 <= n <= 40:
        problems.append(f"{n} segments (want 20-40)")
    for sid, spans in dev.gold.items():
        seg = dev.transcript.segments[sid]
        for g in spans:
            problems += _span_problems(g, f"seg {sid} {g.label}={g.value} {g.text!r}", seg, ids)
        problems += _overlaps(sid, spans)
    return problems, head


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((HERE / "interviews").glob("*.txt"))
    counts: Counter = Counter()
    bad = 0
    for path in files:
        problems, head = check_file(path)
        for p in problems:
            print(f"{path.name}: {p}")
        bad += bool(problems)
        dev = load_dev_interview(path)
        for spans in dev.gold.values():
            for g in spans:
                counts[(head.get("split"), dev.language, g.label)] += 1
    labels = ["CHANNEL", "TOUCHPOINT", "GOAL", "EMOTION", "SCORE", "EXPECTATION", "PEAK"]
    print(f"{'split':5} {'lang':4} " + " ".join(f"{lb[:11]:>11}" for lb in labels))
    for split in ("dev", "test"):
        for lang in ("en", "nl", "de"):
            row = [counts[(split, lang, lb)] for lb in labels]
            if any(row):
                print(f"{split:5} {lang:4} " + " ".join(f"{v:>11}" for v in row))
    print(f"{len(files)} files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
