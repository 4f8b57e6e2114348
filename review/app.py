"""The review web app: a small Flask app over the workspace, for one researcher on this machine.

:func:`create_app` only wires: the config, the security middleware (:mod:`.security`: token
cookie, CSRF, trusted hosts, CSP and other headers), the request helpers (:mod:`.web`), the
blueprints ``pages``, ``api``, ``media`` and ``exports`` (:mod:`.routes`), and the pages
later stages contribute through the ``journeytape.review_pages`` entry point (the Journey
map). Running it is :mod:`.server`; what pages show is computed in :mod:`.render`.

The only files ever served are the app's own static files and the recordings indexed in the
workspace, looked up by interview id (no path ever comes from a URL); all transcript text
goes through Jinja's autoescaping (``<script>`` shows as text).
"""

from __future__ import annotations

import secrets
from importlib.metadata import entry_points
from pathlib import Path

from flask import Flask

from journeytape.annotate.annotations import LABELS
from journeytape.presentation import LABEL_COLORS, clock

from . import security, web
from .render import pieces, text_html, valence
from .routes import BLUEPRINTS
from .security import LOOPBACK, MAX_ID
from .server import random_loopback, serve
from .store import Workspace

__all__ = ["LOOPBACK", "MAX_ID", "create_app", "pieces", "random_loopback", "serve"]

#: entry-point group through which later stages add pages to the review app
PAGES_GROUP = "journeytape.review_pages"


def _register_stage_pages(app: Flask) -> list[tuple[str, str]]:
    """Register the blueprints later stages contribute (``journeytape.review_pages``).

    Data flows one way (annotate → review → map): the Journey page belongs to ``map``, which
    reads this workspace, so review must not import it. Stages declare their pages as entry
    points in ``pyproject.toml`` instead; each blueprint carries ``nav_label`` and
    ``nav_endpoint`` for the header. Returns the (label, endpoint) pairs for the header.
    """
    nav: list[tuple[str, str]] = []
    for ep in sorted(entry_points(group=PAGES_GROUP), key=lambda e: e.name):
        bp = ep.load()
        app.register_blueprint(bp)
        nav.append((bp.nav_label, bp.nav_endpoint))
    return nav


def create_app(
    folder: str | Path,
    *,
    token: str | None = None,
    reviewer: str | None = None,
    scan: bool = True,
    trusted_hosts: list[str] | None = None,
) -> Flask:
    """The app over ``folder``'s workspace (created and, with ``scan``, brought up to date)."""
    folder = Path(folder).resolve()
    with Workspace(folder, reviewer) as ws:  # creates the database and checks the folder
        if scan:
            ws.scan()
        reviewer = ws.reviewer
    app = Flask(__name__)
    app.config.update(
        FOLDER=folder,
        REVIEWER=reviewer,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        **security.settings(token or secrets.token_urlsafe(24), trusted_hosts),
    )
    security.install(app)
    web.install(app)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    app.jinja_env.globals.update(
        clock=clock,
        LABELS=LABELS,
        LABEL_COLORS=LABEL_COLORS,
        text_html=text_html,
        valence=valence,
        NAV_PAGES=_register_stage_pages(app),
    )
    return app
