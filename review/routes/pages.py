"""The HTML pages: the interview list, one interview, search; and the label colours as a
stylesheet (from ``journeytape.presentation.LABEL_COLORS``, the one home of label colours:
the CSP forbids inline styles, so they cannot be put into the page)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from journeytape.annotate.annotations import LABELS
from journeytape.presentation import LABEL_COLORS

from ..render import interview_parts, study_summary
from ..web import page, workspace

bp = Blueprint("pages", __name__)

#: most quotes a search page lists (the page says so when there are more)
SEARCH_LIMIT = 200


@bp.get("/")
def index():
    w = workspace()
    items = w.interviews()
    return page(
        "index.html",
        interviews=items,
        folder=current_app.config["FOLDER"],
        orphans=w.orphans(),
        summary=study_summary(w, items),
    )


@bp.get("/i/<int:iid>")
def interview(iid: int):
    view = workspace().interview(iid)
    if view.annotated:
        from ..derive import warm

        warm(view.language)  # the first tag edit then needs no wait for spaCy
    return page("interview.html", v=view, **interview_parts(view))


@bp.get("/search")
def search():
    q = request.args.get("q", "")[:200]
    label = request.args.get("label") or None
    if label and label not in LABELS:
        label = None
    value = (request.args.get("value") or "")[:100] or None
    role = request.args.get("role") or None
    if role not in (None, "interviewer", "respondent"):
        role = None
    hits = (
        workspace().search(q, label=label, value=value, role=role, limit=SEARCH_LIMIT)
        if (q or label or value)
        else []
    )
    return page("search.html", q=q, label=label, value=value, role=role, hits=hits)


@bp.get("/labels.css")
def labels_css():
    css = render_template("labels.css", colors=LABEL_COLORS)
    return css, 200, {"Content-Type": "text/css; charset=utf-8"}
