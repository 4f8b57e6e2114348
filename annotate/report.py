"""Human-readable outputs: a Markdown and an HTML report per interview, and a summary across
interviews (Markdown + CSV).

Reports are derived from the annotations JSON only (plus the guide for labels), so they can be
rebuilt at any time; the HTML is one self-contained file (inline CSS and SVG, no scripts, no
network) because researchers mail these around.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from journeytape.annotate.annotations import LABELS, Annotations, Tag
from journeytape.presentation import LABEL_TITLES, clock, md_escape


def describe(tag: Tag) -> str:
    """Short human description of a tag's value and details."""
    a = tag.attrs
    if tag.label == "EMOTION":
        sign = "+" if a.get("polarity", 0) > 0 else "−"
        neg = ", negated" if a.get("negated") else ""
        return f"{tag.value} ({a.get('emotion')}, {sign}{abs(a.get('polarity', 0)):.1f}{neg})"
    if tag.label == "SCORE":
        about = f" about {a['about']}" if a.get("about") else ""
        return f"{tag.value}/10 ({a.get('scope')}{about}; said {a.get('raw')!r}, {a.get('scale')})"
    if tag.label == "EXPECTATION":
        bits = [str(tag.value)]
        if a.get("expected"):
            bits.append(f"expected {a['expected']}")
        if a.get("actual"):
            bits.append(f"actual {a['actual']}")
        return ", ".join(bits)
    if tag.label == "PEAK":
        live = " (marked live)" if a.get("marked_live") else ""
        return (f"{tag.value} point" if tag.value else "peak") + live
    return str(tag.value)


def _discussed(c) -> str:
    """ "yes", "ticked live" (ticked in the recorder, no mention found) or both."""
    live = getattr(c, "ticked_live", None) is not None
    if c.mentions:
        return "yes (ticked live)" if live else "yes"
    return "ticked live" if live else "yes"


def emotion_items(ann: Annotations) -> list[tuple[Tag, list[str]]]:
    """Each emotion with the checklist items it is about: mentioned in its segment, else in
    the segment before (the question or the respondent's previous sentence)."""
    by_seg: dict[int, list[str]] = defaultdict(list)
    for t in ann.tags:
        if t.label in ("CHANNEL", "TOUCHPOINT") and t.value not in by_seg[t.segment_id]:
            by_seg[t.segment_id].append(t.value)
    out = []
    for t in ann.tags:
        if t.label == "EMOTION":
            items = by_seg.get(t.segment_id) or by_seg.get(t.segment_id - 1) or []
            out.append((t, list(items)))
    return out


# -- per interview -------------------------------------------------------------------------------
def interview_markdown(ann: Annotations, name: str) -> str:
    lines = [f"# Interview report: {name}", ""]
    p = ann.pipeline
    lines += [
        f"- transcript: `{ann.transcript.get('path')}` "
        f"(sha256 {ann.transcript.get('sha256', '')[:12]}…)",
        f"- guide: {ann.guide.get('journey')} (`{ann.guide.get('path')}`)",
        f"- language: {ann.language}; spaCy pipeline: {p.get('name')} ({p.get('kind')}, "
        f"lemmas: {p.get('lemmas', '?')})",
        f"- annotated: {ann.created}, journeytape {ann.journeytape_version}",
        "",
    ]
    for w in ann.warnings:
        lines.append(f"> warning: {w}")
    covered = [c for c in ann.coverage if c.covered]
    missing = [c for c in ann.coverage if not c.covered]
    lines += [
        "## Checklist coverage",
        "",
        f"{len(covered)} of {len(ann.coverage)} checklist items discussed.",
        "",
        "| item | kind | discussed | mentions | first mention |",
        "|---|---|---|---:|---|",
    ]
    for c in ann.coverage:
        mark = _discussed(c) if c.covered else "**never discussed**"
        lines.append(
            f"| {md_escape(c.label)} | {c.kind} | {mark} | {c.mentions} | "
            f"{clock(c.first_mention)} |"
        )
    if missing:
        lines += ["", "Never discussed: " + ", ".join(c.label for c in missing) + "."]
    lines += ["", "## Emotion over time", "", "```", *emotion_sparkline(ann), "```", ""]
    lines += ["## Tags", ""]
    for label in LABELS:
        tags = [t for t in ann.tags if t.label == label]
        lines.append(f"### {LABEL_TITLES[label]} ({len(tags)})")
        lines.append("")
        if not tags:
            lines += ["none found", ""]
            continue
        for t in tags:
            who = t.role or t.speaker or "?"
            lines.append(
                f"- [{clock(t.start)}] **{md_escape(describe(t))}** — “{md_escape(t.text)}” ({who})"
            )
        lines.append("")
    return "\n".join(lines)


def emotion_sparkline(ann: Annotations, width: int = 60) -> list[str]:
    """A text picture of emotion polarity over the interview (for Markdown)."""
    emos = [t for t in ann.tags if t.label == "EMOTION"]
    if not emos:
        return ["(no emotions found)"]
    end = max(t.end for t in ann.tags) or 1.0
    pos = [" "] * width
    neg = [" "] * width
    for t in emos:
        x = min(width - 1, int(t.start / end * width))
        if t.attrs.get("polarity", 0) > 0:
            pos[x] = "+"
        else:
            neg[x] = "-"
    return [
        "positive |" + "".join(pos) + "|",
        "negative |" + "".join(neg) + "|",
        f"          0{'':{width - 10}}{clock(end):>9}",
    ]


def emotion_svg(ann: Annotations, width: int = 640, height: int = 160) -> str:
    """Inline SVG: each emotion a dot at its time, higher = more positive, size = intensity."""
    emos = [t for t in ann.tags if t.label == "EMOTION"]
    end = max((t.end for t in ann.tags), default=1.0) or 1.0
    pad = 30
    mid = height / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="emotion over time">',
        f'<line x1="{pad}" y1="{mid}" x2="{width - 10}" y2="{mid}" stroke="#999"/>',
        f'<text x="2" y="{pad - 12}" font-size="10">+1</text>',
        f'<text x="2" y="{height - pad + 18}" font-size="10">−1</text>',
        f'<text x="{width - 60}" y="{height - 4}" font-size="10">{clock(end)}</text>',
    ]
    prev = None
    for t in sorted(emos, key=lambda t: t.start):
        x = pad + (width - pad - 10) * t.start / end
        y = mid - (mid - pad) * float(t.attrs.get("polarity", 0))
        r = 3 + 5 * float(t.attrs.get("intensity", 0.5))
        color = "#2a7" if t.attrs.get("polarity", 0) > 0 else "#c33"
        if prev:
            parts.append(
                f'<line x1="{prev[0]:.1f}" y1="{prev[1]:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                'stroke="#bbb" stroke-dasharray="2,2"/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}" fill-opacity="0.8">'
            f"<title>{html.escape(clock(t.start))} {html.escape(t.text)}</title></circle>"
        )
        prev = (x, y)
    parts.append("</svg>")
    return "".join(parts)


_CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left}.no{color:#b00;font-weight:bold}.q{color:#444}.t{font-family:monospace;
color:#666}.label{font-size:.8rem;color:#555}"""


def interview_html(ann: Annotations, name: str) -> str:
    e = html.escape
    p = ann.pipeline
    rows = "".join(
        f"<tr><td>{e(c.label)}</td><td>{c.kind}</td>"
        f"<td>{e(_discussed(c)) if c.covered else '<span class=no>never discussed</span>'}</td>"
        f"<td>{c.mentions}</td><td>{clock(c.first_mention)}</td></tr>"
        for c in ann.coverage
    )
    covered = sum(c.covered for c in ann.coverage)
    sections = []
    for label in LABELS:
        tags = [t for t in ann.tags if t.label == label]
        items = "".join(
            f"<li><span class=t>[{clock(t.start)}]</span> <b>{e(describe(t))}</b> "
            f"<span class=q>“{e(t.text)}”</span> <span class=label>({e(t.role or '?')}, "
            f"{e(t.rule)}, {t.confidence:.2f})</span></li>"
            for t in tags
        )
        sections.append(
            f"<h3>{LABEL_TITLES[label]} ({len(tags)})</h3>"
            + (f"<ul>{items}</ul>" if tags else "<p>none found</p>")
        )
    warnings = "".join(f"<p class=no>warning: {e(w)}</p>" for w in ann.warnings)
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>Interview report: {e(name)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Interview report: {e(name)}</h1>"
        f"<p>Transcript <code>{e(str(ann.transcript.get('path')))}</code>; guide "
        f"{e(str(ann.guide.get('journey')))}; language {e(ann.language)}; spaCy pipeline "
        f"{e(str(p.get('name')))} ({e(str(p.get('kind')))}); annotated {e(ann.created)}.</p>"
        f"{warnings}<h2>Checklist coverage</h2><p>{covered} of {len(ann.coverage)} items "
        "discussed.</p><table><tr><th>item</th><th>kind</th><th>discussed</th>"
        f"<th>mentions</th><th>first mention</th></tr>{rows}</table>"
        f"<h2>Emotion over time</h2>{emotion_svg(ann)}"
        f"<h2>Tags</h2>{''.join(sections)}</body></html>\n"
    )


# -- across interviews ---------------------------------------------------------------------------
@dataclass
class Summary:
    markdown: str
    interviews_csv: str
    items_csv: str


def summarize(
    named: Sequence[tuple[str, Annotations]], labels: dict[str, str] | None = None
) -> Summary:
    """Channel frequencies, emotions per touchpoint and mean scores across interviews.

    ``labels`` names checklist items (interviews in several languages: the guide's first
    language); by default the label of the first interview is used.
    """
    items = _item_stats(named, labels or {})
    rows = [_interview_row(name, ann) for name, ann in named]
    item_rows = [_item_row(k, v, len(named)) for k, v in items.items()]
    emotions: Counter[str] = Counter(
        str(t.attrs.get("emotion")) for _, ann in named for t in ann.tags if t.label == "EMOTION"
    )
    md = _summary_markdown(named, rows, item_rows, emotions)
    return Summary(md, _to_csv(rows), _to_csv(item_rows))


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _fmt(x: float | None, nd: int = 1) -> str:
    return "" if x is None else f"{x:.{nd}f}"


def _to_csv(records: list[dict]) -> str:
    buf = io.StringIO()
    if records:
        w = csv.DictWriter(buf, fieldnames=list(records[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(records)
    return buf.getvalue()


def _scores(tags: Sequence[Tag], scope: str) -> list[float]:
    return [float(t.value) for t in tags if t.label == "SCORE" and t.attrs.get("scope") == scope]


def _item_stats(named: Sequence[tuple[str, Annotations]], labels: dict[str, str]) -> dict:
    """Per checklist item: interviews and mentions, the feelings and scores about it."""
    items: dict[str, dict] = {}
    for _, ann in named:
        for c in ann.coverage:
            it = items.setdefault(
                c.item,
                {
                    "kind": c.kind,
                    "label": labels.get(c.item, c.label),
                    "interviews": 0,
                    "mentions": 0,
                    "pos": 0,
                    "neg": 0,
                    "polarity": [],
                    "scores": [],
                },
            )
            it["interviews"] += int(c.covered)
            it["mentions"] += c.mentions
        for tag, about in emotion_items(ann):
            for item in about:
                if item in items:
                    pol = float(tag.attrs.get("polarity", 0))
                    items[item]["pos" if pol > 0 else "neg"] += 1
                    items[item]["polarity"].append(pol)
        for t in ann.tags:
            if t.label == "SCORE" and t.attrs.get("about") in items:
                items[t.attrs["about"]]["scores"].append(float(t.value or 0))
    return items


def _interview_row(name: str, ann: Annotations) -> dict:
    """One line of annotations-summary.csv."""
    tags = ann.tags
    emos = [t for t in tags if t.label == "EMOTION"]

    def count(label: str, value: str | None = None) -> int:
        return sum(1 for t in tags if t.label == label and (value is None or t.value == value))

    return {
        "interview": name,
        "language": ann.language,
        "pipeline": ann.pipeline.get("name"),
        "covered": sum(c.covered for c in ann.coverage),
        "checklist_items": len(ann.coverage),
        "never_discussed": "; ".join(c.item for c in ann.coverage if not c.covered),
        "emotions_positive": sum(1 for t in emos if t.attrs.get("polarity", 0) > 0),
        "emotions_negative": sum(1 for t in emos if t.attrs.get("polarity", 0) <= 0),
        "mean_polarity": _fmt(_mean([float(t.attrs.get("polarity", 0)) for t in emos]), 2),
        "score_overall_mean": _fmt(_mean(_scores(tags, "overall"))),
        "score_moment_mean": _fmt(_mean(_scores(tags, "moment"))),
        "expectations_unmet": count("EXPECTATION", "unmet"),
        "peaks_low": count("PEAK", "low"),
        "peaks_high": count("PEAK", "high"),
        "goals": count("GOAL"),
    }


def _item_row(item: str, v: dict, n: int) -> dict:
    """One line of annotations-summary-items.csv."""
    return {
        "item": item,
        "kind": v["kind"],
        "label": v["label"],
        "interviews_discussed": v["interviews"],
        "interviews": n,
        "mentions": v["mentions"],
        "emotions_positive": v["pos"],
        "emotions_negative": v["neg"],
        "mean_polarity": _fmt(_mean(v["polarity"]), 2),
        "mean_score": _fmt(_mean(v["scores"])),
    }


def _summary_markdown(
    named: Sequence[tuple[str, Annotations]],
    rows: list[dict],
    item_rows: list[dict],
    emotions: Counter[str],
) -> str:
    n = len(named)
    all_overall = [x for _, a in named for x in _scores(a.tags, "overall")]
    md = [f"# Summary of {n} interview{'s' * (n != 1)}", ""]
    md.append(
        f"Mean overall score (0–10): **{_fmt(_mean(all_overall)) or '–'}** "
        f"from {len(all_overall)} score{'s' * (len(all_overall) != 1)}."
    )
    md += [
        "",
        "## Per interview",
        "",
        "| interview | lang | covered | overall score | emotions + / − | never discussed |",
        "|---|---|---:|---:|---|---|",
    ]
    for r in rows:
        md.append(
            f"| {md_escape(r['interview'])} | {r['language']} | {r['covered']}/"
            f"{r['checklist_items']} | {r['score_overall_mean'] or '–'} | "
            f"{r['emotions_positive']} / {r['emotions_negative']} | "
            f"{md_escape(r['never_discussed'].replace('; ', ', ')) or '–'} |"
        )
    for kind, title in (("channel", "Channels"), ("touchpoint", "Touchpoints")):
        md += _item_table(item_rows, kind, title, n)
    md += ["", "## Emotions that came up most", "", "| emotion | times |", "|---|---:|"]
    for emo, k in emotions.most_common(12):
        md.append(f"| {emo} | {k} |")
    never = [r["label"] for r in item_rows if r["interviews_discussed"] == 0]
    if never:
        md += ["", "Never discussed in any interview: " + ", ".join(never) + "."]
    return "\n".join(md) + "\n"


def _item_table(item_rows: list[dict], kind: str, title: str, n: int) -> list[str]:
    md = [
        "",
        f"## {title}: how often they came up, and the feelings around them",
        "",
        "| item | interviews | mentions | emotions + / − | mean polarity | mean score |",
        "|---|---:|---:|---|---:|---:|",
    ]
    mine = sorted(
        (r for r in item_rows if r["kind"] == kind), key=lambda r: (-r["mentions"], r["item"])
    )
    for r in mine:
        md.append(
            f"| {md_escape(r['label'])} | {r['interviews_discussed']}/{n} | {r['mentions']} | "
            f"{r['emotions_positive']} / {r['emotions_negative']} | "
            f"{r['mean_polarity'] or '–'} | {r['mean_score'] or '–'} |"
        )
    return md


def write_reports(
    ann: Annotations, name: str, folder: Path, *, quotes: bool | None = None
) -> list[Path]:
    """``<name>.report.md/.html``; ``quotes`` False (default: what the interviewee's
    consent.json says) leaves every quote out and says why."""
    from journeytape.erasure import (
        QUOTED_ATTRS,
        QUOTES_NOTE,
        QUOTES_WITHHELD,
        quotes_allowed_for_transcript,
    )
    from journeytape.files import atomic_write_text

    if quotes is None:
        quotes = quotes_allowed_for_transcript(ann.transcript.get("path"))
    if not quotes:
        import copy

        ann = copy.deepcopy(ann)
        for t in ann.tags:
            t.text = QUOTES_WITHHELD
            t.attrs = {k: ("(withheld)" if k in QUOTED_ATTRS else v) for k, v in t.attrs.items()}
        ann.warnings = [QUOTES_NOTE, *ann.warnings]

    md = atomic_write_text(folder / f"{name}.report.md", interview_markdown(ann, name))
    ht = atomic_write_text(folder / f"{name}.report.html", interview_html(ann, name))
    return [md, ht]


def write_summary(
    named: Sequence[tuple[str, Annotations]], folder: Path, labels: dict[str, str] | None = None
) -> list[Path]:
    from journeytape.files import atomic_write_text

    s = summarize(named, labels)
    return [
        atomic_write_text(folder / "annotations-summary.md", s.markdown),
        atomic_write_text(folder / "annotations-summary.csv", s.interviews_csv),
        atomic_write_text(folder / "annotations-summary-items.csv", s.items_csv),
    ]
