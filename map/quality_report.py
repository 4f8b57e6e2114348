"""``interview-quality.md``: the interview-quality checks as a Markdown report."""

from __future__ import annotations

from typing import Any

from journeytape.presentation import clock, md_escape

from .questions import CLASSES
from .steps import STEPS


def markdown(q: dict[str, Any]) -> str:
    """interview-quality.md: the study first, then one section per interview."""
    st = q["study"]
    c = st["counts"]
    n = st["interviews"]
    lines = [
        "# Interview quality",
        "",
        f"{n} interviews, {st['questions']} interviewer questions: {c['open']} open, "
        f"{c['closed']} closed, {c['leading']} leading, {c['hypothetical']} hypothetical.",
        "",
        "Ask open questions about what really happened; avoid pushing an answer (leading) and "
        "asking about an imagined future (hypothetical). Let the respondent do the talking.",
        "",
        "## Steps of a good interview, across the study",
        "",
        "| step | interviews | missing in |",
        "|---|---:|---|",
    ]
    names = [p["interview"] for p in q["interviews"]]
    for s in st["steps"].values():
        missing = [x for x in names if x not in s["done_in"]]
        lines.append(f"| {s['label']} | {len(s['done_in'])}/{n} | {', '.join(missing) or '–'} |")
    lines += [
        "",
        "| interview | questions | open | closed | leading | hypothetical | interviewer talk "
        "| longest monologue | steps | feelings not followed up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in q["interviews"]:
        pc = p["questions"]["counts"]
        steps = sum(1 for s in p["steps"] if s["done"])
        lines.append(
            f"| {p['interview']} | {p['questions']['total']} | {pc['open']} | {pc['closed']} | "
            f"{pc['leading']} | {pc['hypothetical']} | "
            f"{100 * p['talk']['interviewer_share']:.0f}% | "
            f"{p['talk']['longest_monologue']['seconds']:.0f} s | {steps}/{len(STEPS)} | "
            f"{len(p['downplayed'])} |"
        )
    for p in q["interviews"]:
        lines += ["", f"## {p['interview']} ({p['language']})", ""]
        if not p["roles"]:
            lines += ["No interviewer recognised in this transcript: question checks skipped.", ""]
        for cls in CLASSES:
            ex = p["questions"]["examples"][cls]
            if ex and cls != "open":
                lines.append(
                    f"- **{cls}**: "
                    + "; ".join(
                        f"“{md_escape(e['text'])}” ({clock(e['evidence']['start'])})" for e in ex
                    )
                )
        mono = p["talk"]["longest_monologue"]
        if mono.get("evidence"):
            lines.append(
                f"- longest interviewer monologue: {mono['seconds']:.0f} s, {mono['words']} "
                f"words at {clock(mono['evidence']['start'])}"
            )
        missing = [s["label"] for s in p["steps"] if not s["done"]]
        lines.append("- steps missing: " + (", ".join(missing) if missing else "none"))
        for d in p["downplayed"]:
            lines.append(
                f"- **feeling played down, not followed up** at {clock(d['evidence']['start'])}: "
                f"“{md_escape(d['evidence']['quote'])}” — next question: "
                f"“{md_escape(d['next_question'] or '(none)')}”"
            )
    return "\n".join(lines) + "\n"
