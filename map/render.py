"""The journey map as HTML: one template for the static file and the review app's Journey page.

The chart is SVG drawn on the server (:mod:`.svg`), so the static ``journey-map.html`` is one
self-contained file that needs no script and no network, and prints to PDF as it shows. The
markup uses classes only (no ``style`` attributes): the review app's Content-Security-Policy
forbids inline styles, and the static file inlines the same stylesheet.

All text from transcripts goes through Jinja's autoescaping or :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from journeytape.presentation import clock

from .svg import journey_svg


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
