"""Build the journey-map test study: 12 typed interviews (EN/NL/DE) about one journey.

``bench/journey_study/*.txt`` are interviews written for journeytape in the ``I: … / R: …``
format of :mod:`journeytape.annotate.devtext` (getting a broken laptop fixed, the
service-desk guide). This turns each into a transcript with plausible word timings and runs
the real annotator over them, so the map is tested on what the pipeline really produces.
The interviewers differ on purpose (some explain the purpose and ask for feelings and peaks,
some lead, ask closed or hypothetical questions, or talk too long) for the quality checks.

    python -m bench.journey_study OUT_FOLDER          # then: journeytape map OUT_FOLDER --guide …
    python -m bench.journey_study OUT_FOLDER --reviewed   # plus a simulated review (the docs'
                                                            # screenshot): see simulate_review

Nothing generated is committed; tests build it in a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "journey_study"


def build_study(out: str | Path, guide_path: str | Path | None = None) -> list[Path]:
    """Write ``<name>.transcript.json`` and ``<name>.annotations.json`` for every interview;
    return the transcript paths."""
    from journeytape.annotate.devtext import transcript_from_text
    from journeytape.annotate.run import annotate_paths
    from journeytape.guide import example_guide_path, load_guide
    from journeytape.transcribe.transcript import save_transcript

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for src in sorted(HERE.glob("*.txt")):
        text = src.read_text("utf-8")
        lang = src.stem.split("_")[0]
        transcript, _ = transcript_from_text(text, lang, src.stem)
        paths.append(save_transcript(transcript, out / f"{src.stem}.transcript.json"))
    guide = load_guide(guide_path or example_guide_path())
    for r in annotate_paths([out], guide, reports=False):
        if r.status == "error":
            raise RuntimeError(f"{r.transcript}: {r.error}")
    return paths


def simulate_review(folder: str | Path, accept: int = 8) -> dict[str, int]:
    """What a reviewer of this study would do: reject the "laptop delivered" tags (no laptop
    is delivered in a broken-laptop story; the annotator reads "get … laptop" as one) and
    accept every other tag of the first ``accept`` interviews; the rest stay unreviewed."""
    from journeytape.review.store import Workspace

    done = {"accepted": 0, "rejected": 0}
    with Workspace(folder, "study-reviewer") as ws:
        ws.scan()
        for k, s in enumerate(ws.interviews()):
            for t in ws.interview(s.id, words=False).tags:
                if t.label == "TOUCHPOINT" and t.value == "laptop_delivered":
                    ws.set_status(s.id, t.id, "rejected")
                    done["rejected"] += 1
                elif k < accept:
                    ws.set_status(s.id, t.id, "accepted")
                    done["accepted"] += 1
    return done


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--reviewed"]
    if len(args) != 1:
        print(__doc__)
        return 2
    paths = build_study(args[0])
    print(f"{len(paths)} interviews in {args[0]}")
    if "--reviewed" in argv:
        print(f"simulated review: {simulate_review(args[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
