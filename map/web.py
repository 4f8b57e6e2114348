"""The Journey page of the review app: the study's journey map and interview quality, live.

It belongs to ``map`` (it reads the review workspace) and reaches the review app through the
``journeytape.review_pages`` entry point, so review never imports map.

A Flask blueprint over the same workspace the reviewer is editing, so the map always shows
the current decisions (reload after a review and the rejected tag is gone). It renders the
very template of the static ``journey-map.html`` (:mod:`journeytape.map.render`), with each
quote linked to its moment in the transcript page and a button that plays the recording from
there. Everything is served by the app itself under its security gates (token cookie, CSP:
the page has no inline style or script).

The guide (for checklist labels, stages and coverage) is ``app.config["JOURNEY_GUIDE"]`` when
set, else the guide the interviews were annotated with (its path is in the annotations).
"""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, url_for

from journeytape.guide import Guide, GuideError, load_guide
from journeytape.review.store import Workspace

bp = Blueprint(
    "journey",
    __name__,
    static_folder=str(files("journeytape.map").joinpath("static")),
    static_url_path="/journey/static",
    template_folder="templates",
)
#: the review app's header links to this page (see journeytape.review.app.PAGES_GROUP)
bp.nav_label = "Journey map"
bp.nav_endpoint = "journey.page"


def _guide(ws: Workspace) -> Guide:
    configured = current_app.config.get("JOURNEY_GUIDE")
    if configured:
        return load_guide(configured)
    paths: Counter[str] = Counter()
    for row in ws.conn.execute(
        "SELECT annotations_path FROM interviews WHERE present = 1 AND annotations_path IS NOT NULL"
    ):
        try:
            d = json.loads(Path(row["annotations_path"]).read_text("utf-8"))
            paths[d["guide"]["path"]] += 1
        except (OSError, ValueError, KeyError, TypeError):
            continue
    for path, _ in paths.most_common():
        try:
            return load_guide(path)
        except GuideError:
            continue
    abort(
        404,
        "the guide these interviews were annotated with is not found; "
        "run `journeytape map FOLDER --guide guide.yaml` instead",
    )


@bp.get("/journey")
def page():
    from journeytape.map import journey, quality, render
    from journeytape.review.exports import load_views

    folder = current_app.config["FOLDER"]
    with Workspace(folder, current_app.config["REVIEWER"], create=False) as ws:
        guide = _guide(ws)
        views = load_views(ws)
        try:
            m = journey.build(ws, guide, views=views)
        except journey.JourneyMapError as exc:
            abort(404, str(exc))
        q = quality.check_study(views)
        ids = {s.name: (s.id, bool(s.audio_path)) for s in ws.interviews()}

    def transcript_url(ev: dict[str, Any]) -> str:
        return url_for("pages.interview", iid=ids[ev["interview"]][0]) + f"#seg-{ev['segment']}"

    def audio_url(ev: dict[str, Any]) -> str | None:
        iid, has_audio = ids[ev["interview"]]
        return url_for("media.audio", iid=iid) if has_audio else None

    body = render.body_html(m, q, transcript_url=transcript_url, audio_url=audio_url)
    return render_template(
        "journey_app.html",
        body=body,
        m=m,
        csrf=current_app.config["CSRF"],
        reviewer=current_app.config["REVIEWER"],
    )
