"""The journey map as HTML: one template for the static file and the review app's Journey page.

Charts are SVG drawn here, on the server, so the static ``journey-map.html`` is one
self-contained file that needs no script and no network, and prints to PDF as it shows. The
markup uses classes only (no ``style`` attributes): the review app's Content-Security-Policy
forbids inline styles, and the static file inlines the same stylesheet.

All text from transcripts goes through Jinja's autoescaping or :func:`html.escape`.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from journeytape.presentation import clock

#: the canvas of the journey chart (SVG user units; it scales to the page width)
WIDTH = 1160
GUTTER = 118
SCORE_PANEL = 150
CURVE_TOP = 232
CURVE_H = 210
#: colours: one calm palette that survives grey-scale printing (dark median, faint lines)
INK = "#1d2733"
MUTED = "#6b7785"
FAINT = "#9aa7b4"
GOOD = "#2e8b57"
BAD = "#c0392b"
BAND = "#dbe4ee"
STAGE_FILLS = ("#e8eef6", "#f3ede4")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Greedy word wrap for SVG text (SVG has none); the last line ends in … when cut."""
    out: list[str] = []
    cur = ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)].rstrip() + "…"
    return out


def _y(value: float) -> float:
    """0..10 → the curve's vertical position (10 at the top)."""
    return CURVE_TOP + CURVE_H * (1 - value / 10)


def journey_svg(m: dict[str, Any]) -> Markup:
    """Stages, touchpoints, respondents, channels and the emotion curve on one aligned grid,
    with the overall scores beside the curve."""
    tps = m["touchpoints"]
    n_int = len(m["interviews"])
    n = max(1, len(tps))
    cw = (WIDTH - GUTTER - SCORE_PANEL) / n
    x_of = {tp["id"]: GUTTER + cw * (i + 0.5) for i, tp in enumerate(tps)}
    H = CURVE_TOP + CURVE_H + 40
    p: list[str] = [
        f'<svg class="journey" viewBox="0 0 {WIDTH} {H}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="Journey map: stages, touchpoints and emotion curve" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
    ]
    # row labels
    for y, label in (
        (22, "Stage"),
        (70, "Touchpoint"),
        (128, "Respondents"),
        (168, "Channels"),
        (CURVE_TOP - 16, "Feeling (0–10)"),
    ):
        p.append(
            f'<text x="6" y="{y}" font-size="12" font-weight="600" fill="{MUTED}">{label}</text>'
        )
    if not tps:
        p.append(
            f'<text x="{GUTTER}" y="90" font-size="15" fill="{MUTED}">No touchpoint of '
            "the guide was mentioned in these interviews.</text></svg>"
        )
        return Markup("".join(p))
    # stages
    col = {tp["id"]: i for i, tp in enumerate(tps)}
    for k, st in enumerate(m["stages"]):
        idx = [col[t] for t in st["touchpoints"] if t in col]
        x0, x1 = GUTTER + cw * min(idx) + 2, GUTTER + cw * (max(idx) + 1) - 2
        p.append(
            f'<rect x="{x0:.1f}" y="4" width="{x1 - x0:.1f}" height="28" rx="4" '
            f'fill="{STAGE_FILLS[k % 2]}"/>'
        )
        label = _wrap(st["label"], max(6, int((x1 - x0) / 7.2)), 1)[0]
        p.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="23" font-size="12.5" font-weight="600" '
            f'text-anchor="middle" fill="{INK}">{_e(label)}</text>'
        )
    chars = max(8, int(cw / 7.4))
    for tp in tps:
        cx = x_of[tp["id"]]
        x0 = cx - cw / 2 + 4
        # a touchpoint no reviewer has confirmed yet is drawn dashed
        reviewed = _reviewed(tp)
        look = (
            'fill="#ffffff" stroke="#b8c4d0"'
            if reviewed
            else ('fill="#fffdf6" stroke="#d9b45a" stroke-dasharray="5 4"')
        )
        p.append(
            f'<rect x="{x0:.1f}" y="40" width="{cw - 8:.1f}" height="64" rx="6" {look}>'
            f"<title>{'reviewed' if reviewed else 'no mention reviewed yet'}</title></rect>"
        )
        for j, line in enumerate(_wrap(tp["label"], chars, 3)):
            p.append(
                f'<text x="{cx:.1f}" y="{60 + 15 * j}" font-size="13" font-weight="600" '
                f'text-anchor="middle" fill="{INK}">{_e(line)}</text>'
            )
        # respondents: a bar out of all interviews
        bw = cw - 24
        frac = tp["respondents"] / max(1, n_int)
        p.append(
            f'<rect x="{cx - bw / 2:.1f}" y="114" width="{bw:.1f}" height="8" rx="4" '
            f'fill="#e6ebf0"/>'
        )
        p.append(
            f'<rect x="{cx - bw / 2:.1f}" y="114" width="{bw * frac:.1f}" height="8" '
            f'rx="4" fill="#4a6fa5"/>'
        )
        p.append(
            f'<text x="{cx:.1f}" y="138" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{tp["respondents"]} of {n_int}</text>'
        )
        for j, ch in enumerate(tp["channels"][:4]):
            text = _wrap(f"{ch['label']} ({ch['respondents']})", chars, 1)[0]
            p.append(
                f'<text x="{cx:.1f}" y="{162 + 15 * j}" font-size="11.5" '
                f'text-anchor="middle" fill="{MUTED}">{_e(text)}</text>'
            )
        if not tp["channels"]:
            p.append(
                f'<text x="{cx:.1f}" y="162" font-size="11.5" text-anchor="middle" '
                f'fill="{FAINT}">–</text>'
            )
    p += _curve_svg(m, x_of, cw)
    p += _score_panel(m)
    p.append("</svg>")
    return Markup("".join(p))


def _curve_svg(m: dict[str, Any], x_of: dict[str, float], cw: float) -> list[str]:
    p = []
    x_left, x_right = GUTTER, WIDTH - SCORE_PANEL
    for v, label in ((10, "10 delighted"), (5, "5 neutral"), (0, "0 very upset")):
        y = _y(v)
        dash = "" if v == 5 else ' stroke-dasharray="3 4"'
        p.append(
            f'<line x1="{x_left}" y1="{y:.1f}" x2="{x_right}" y2="{y:.1f}" stroke="#c9d2dc"{dash}/>'
        )
        p.append(
            f'<text x="{x_left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{MUTED}">{label}</text>'
        )
    curve = m["emotion_curve"]
    med = [pt for pt in curve["median"] if pt["touchpoint"] in x_of]
    if len(med) >= 1:  # the spread: quartiles across respondents
        top = [(x_of[pt["touchpoint"]], _y(pt["q3"])) for pt in med]
        bot = [(x_of[pt["touchpoint"]], _y(pt["q1"])) for pt in reversed(med)]
        if len(med) == 1:
            (x, y1), (_, y0) = top[0], bot[0]
            p.append(
                f'<rect x="{x - 10:.1f}" y="{y1:.1f}" width="20" height="{y0 - y1:.1f}" '
                f'fill="{BAND}"/>'
            )
        else:
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in top + bot)
            p.append(f'<polygon points="{pts}" fill="{BAND}" fill-opacity="0.85"/>')
    for line in curve["respondents"].values():  # one faint line per respondent
        pts = [(x_of[pt["touchpoint"]], _y(pt["value"])) for pt in line if pt["touchpoint"] in x_of]
        if len(pts) > 1:
            p.append(
                '<polyline fill="none" stroke="#8796a8" stroke-opacity="0.55" '
                'stroke-width="1.3" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>'
            )
        for x, y in pts:
            p.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="#8796a8" fill-opacity="0.6"/>'
            )
    if len(med) > 1:
        p.append(
            f'<polyline fill="none" stroke="{INK}" stroke-width="3.2" '
            'stroke-linejoin="round" points="'
            + " ".join(f"{x_of[pt['touchpoint']]:.1f},{_y(pt['median']):.1f}" for pt in med)
            + '"/>'
        )
    for pt in med:
        x, y = x_of[pt["touchpoint"]], _y(pt["median"])
        color = GOOD if pt["median"] > 5.5 else BAD if pt["median"] < 4.5 else INK
        p.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{color}" stroke="#fff" '
            'stroke-width="2"/>'
        )
        dy = -12 if pt["median"] < 8.5 else 20
        p.append(
            f'<text x="{x:.1f}" y="{y + dy:.1f}" font-size="12.5" font-weight="700" '
            f'text-anchor="middle" fill="{color}">{pt["median"]:.1f}</text>'
        )
    for tp_id, x in x_of.items():
        if not any(pt["touchpoint"] == tp_id for pt in med):
            p.append(
                f'<text x="{x:.1f}" y="{_y(0) - 8:.1f}" font-size="11" '
                f'text-anchor="middle" fill="{FAINT}">no feelings told</text>'
            )
    y_leg = CURVE_TOP + CURVE_H + 30
    p.append(
        f'<line x1="{x_left}" y1="{y_leg - 4}" x2="{x_left + 26}" y2="{y_leg - 4}" '
        f'stroke="{INK}" stroke-width="3.2"/>'
        f'<text x="{x_left + 32}" y="{y_leg}" font-size="11.5" fill="{MUTED}">median '
        "of respondents</text>"
        f'<line x1="{x_left + 180}" y1="{y_leg - 4}" x2="{x_left + 206}" y2="{y_leg - 4}" '
        'stroke="#8796a8" stroke-opacity="0.6" stroke-width="1.3"/>'
        f'<text x="{x_left + 212}" y="{y_leg}" font-size="11.5" fill="{MUTED}">one '
        "respondent</text>"
        f'<rect x="{x_left + 330}" y="{y_leg - 10}" width="26" height="11" fill="{BAND}"/>'
        f'<text x="{x_left + 362}" y="{y_leg}" font-size="11.5" fill="{MUTED}">middle '
        "half of respondents (quartiles)</text>"
    )
    if not all(_reviewed(tp) for tp in m["touchpoints"]):
        p.append(
            f'<rect x="{x_left + 600}" y="{y_leg - 11}" width="26" height="13" rx="3" '
            'fill="#fffdf6" stroke="#d9b45a" stroke-dasharray="5 4"/>'
            f'<text x="{x_left + 632}" y="{y_leg}" font-size="11.5" fill="{MUTED}">touchpoint '
            "no reviewer has confirmed yet</text>"
        )
    return p


def _reviewed(tp: dict[str, Any]) -> bool:
    """Has a person confirmed (accepted, edited or added) any mention of this touchpoint?"""
    return any(e.get("review", "unreviewed") != "unreviewed" for e in tp["evidence"])


def _score_panel(m: dict[str, Any]) -> list[str]:
    """Overall grades beside the curve, on the same 0..10 axis."""
    x0 = WIDTH - SCORE_PANEL + 30
    cx = x0 + 45
    sc = m["scores"]
    p = [
        f'<text x="{cx}" y="{CURVE_TOP - 16}" font-size="12" font-weight="600" '
        f'text-anchor="middle" fill="{MUTED}">Overall score</text>',
        f'<line x1="{cx}" y1="{_y(10):.1f}" x2="{cx}" y2="{_y(0):.1f}" stroke="#c9d2dc"/>',
    ]
    vals = [o["value"] for o in sc["overall"]]
    seen: dict[float, int] = {}
    for v in vals:  # stack equal grades side by side
        k = seen.get(v, 0)
        seen[v] = k + 1
        dx = (k // 2 + 1) * 7 * (1 if k % 2 else -1) if k else 0
        p.append(
            f'<circle cx="{cx + dx:.1f}" cy="{_y(v):.1f}" r="3.2" fill="#8796a8" '
            'fill-opacity="0.75"/>'
        )
    if vals:
        med = statistics.median(vals)
        color = GOOD if med > 5.5 else BAD if med < 4.5 else INK
        p.append(
            f'<line x1="{cx - 26}" y1="{_y(med):.1f}" x2="{cx + 26}" y2="{_y(med):.1f}" '
            f'stroke="{color}" stroke-width="3.2"/>'
        )
        p.append(
            f'<text x="{cx + 30}" y="{_y(med) + 5:.1f}" font-size="15" font-weight="700" '
            f'fill="{color}">{med:.1f}</text>'
        )
        p.append(
            f'<text x="{cx}" y="{_y(0) + 18:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">median of {len(vals)}</text>'
        )
    else:
        p.append(
            f'<text x="{cx}" y="{_y(5):.1f}" font-size="11" text-anchor="middle" '
            f'fill="{FAINT}">none given</text>'
        )
    return p


def coverage_cell(n: int) -> str:
    return "●" if n else ""


def _env() -> Environment:
    folder = str(files("journeytape.map").joinpath("templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True))
    env.globals.update(clock=clock, coverage_cell=coverage_cell)
    return env


def stylesheet() -> str:
    return files("journeytape.map").joinpath("static/journey.css").read_text("utf-8")


def body_html(
    m: dict[str, Any],
    quality: dict[str, Any] | None = None,
    *,
    transcript_url: Callable[[dict[str, Any]], str] | None = None,
    audio_url: Callable[[dict[str, Any]], str | None] | None = None,
) -> Markup:
    """The map's HTML (no <html> wrapper). With ``transcript_url``/``audio_url`` (the review
    app) every quote links to its transcript moment and gets a play button; without them
    (the static file) it cites interview and time."""
    tpl = _env().get_template("journey_body.html")
    return Markup(
        tpl.render(
            m=m,
            q=quality,
            svg=journey_svg(m),
            transcript_url=transcript_url,
            audio_url=audio_url,
            moments=moment_groups(m),
            reach={tp["id"]: tp["respondents"] for tp in m["touchpoints"]},
        )
    )


def moment_groups(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Moments of truth grouped by kind and touchpoint, lows first, most often named first:
    a list of twenty single quotes reads as noise, four groups read as findings."""
    groups: dict[tuple[str, str | None], dict[str, Any]] = {}
    for mo in m["moments_of_truth"]:
        g = groups.setdefault(
            (mo["kind"], mo["touchpoint"]),
            {"kind": mo["kind"], "label": mo["label"], "items": [], "names": set()},
        )
        g["items"].append(mo)
        g["names"].add(mo["evidence"]["interview"])
    out = [{**g, "respondents": len(g.pop("names"))} for g in groups.values()]
    out.sort(key=lambda g: (g["kind"] != "low", -g["respondents"]))
    return out


def standalone_html(m: dict[str, Any], quality: dict[str, Any] | None = None) -> str:
    """The self-contained ``journey-map.html``: inline CSS, inline SVG, no script, no network."""
    tpl = _env().get_template("journey_page.html")
    return tpl.render(m=m, css=Markup(stylesheet()), body=body_html(m, quality))
