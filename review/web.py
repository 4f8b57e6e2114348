"""Request helpers the review app's blueprints share: the per-request workspace, page
rendering with the CSP nonce, strict parsing of ids and JSON bodies, error pages.

Every id and body field is checked (type, range, length): malformed input gets 4xx, never a
500 with a traceback.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    send_file,
)
from werkzeug.exceptions import HTTPException

from .security import MAX_ID, csp_nonce
from .store import Workspace, WorkspaceError


def workspace() -> Workspace:
    """This request's workspace (one SQLite connection per request, closed at its end)."""
    if "ws" not in g:
        cfg = current_app.config
        g.ws = Workspace(cfg["FOLDER"], cfg["REVIEWER"], create=False)
    return g.ws


def _close_workspace(_exc: BaseException | None) -> None:
    w = g.pop("ws", None)
    if w is not None:
        w.close()


def page(template: str, **kw: Any) -> str:
    """A full page. A per-response nonce lets the vendored waveform player add its one
    ``<style>`` element (in its shadow DOM) without allowing inline styles in general."""
    return render_template(
        template,
        csrf=current_app.config["CSRF"],
        reviewer=current_app.config["REVIEWER"],
        csp_nonce=csp_nonce(),
        **kw,
    )


def download(data: bytes, name: str, mime: str):
    """Bytes as a file download."""
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)


def slug(text: str) -> str:
    """A file-name-safe version of a name or label (download names)."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._")[:80] or "clip"


def recording(iid: int) -> Path:
    """The interview's indexed recording, or 404."""
    path = workspace().audio_path(iid)
    if path is None or not path.is_file():
        abort(404, "no recording for this interview")
    return path


def quotes_ok(iid: int) -> bool:
    """A clip is a quote: none leave the app for an interviewee whose consent excludes
    quotes in reports (as in every export)."""
    from journeytape.erasure import quotes_allowed_for_transcript

    row = (
        workspace()
        .conn.execute("SELECT transcript_path FROM interviews WHERE id = ?", (iid,))
        .fetchone()
    )
    return quotes_allowed_for_transcript(row["transcript_path"] if row else None)


# -- input -----------------------------------------------------------------------------------


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or HTTP 400: also for nesting deep enough to exhaust
    the parser's recursion limit (which used to surface as a 500)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        abort(400, "expected a JSON object")
    if not isinstance(data, dict):
        abort(400, "expected a JSON object")
    return data


def body() -> dict[str, Any]:
    return parse_body(request.get_data(cache=True))


def text(data: dict[str, Any], name: str, max_len: int) -> str | None:
    """A string field (or absent/null), at most ``max_len`` characters; else HTTP 400."""
    x = data.get(name)
    if x is None:
        return None
    if not isinstance(x, str):
        abort(400, f"{name} must be a string")
    if len(x) > max_len:
        abort(400, f"{name} is longer than {max_len} characters")
    try:
        x.encode("utf-8")
    except UnicodeEncodeError:
        abort(400, f"{name} is not valid text")
    return x


def as_int(x: Any, name: str) -> int:
    """A JSON integer id or offset within SQLite's range; else HTTP 400."""
    if isinstance(x, bool) or not isinstance(x, int):
        abort(400, f"{name} must be an integer")
    if not 0 <= x <= MAX_ID:
        abort(400, f"{name} is out of range")
    return x


def arg_int(name: str) -> int:
    """A query-string integer within SQLite's range; else HTTP 400."""
    raw = request.args.get(name, "")
    if not raw.isdigit() or int(raw) > MAX_ID:
        abort(400, f"{name} must be a non-negative integer")
    return int(raw)


# -- errors ----------------------------------------------------------------------------------


def _bad(exc: WorkspaceError):
    if request.path.startswith("/api/"):
        return jsonify(error=str(exc)), 400
    return render_template("error.html", message=str(exc)), 404


def _http(exc: HTTPException):
    if request.path.startswith("/api/"):
        return jsonify(error=exc.description), exc.code
    message = f"{exc.code} {exc.name}: {exc.description}"
    try:
        return make_response(render_template("error.html", message=message), exc.code)
    except Exception:  # e.g. an untrusted Host: no URL adapter to build links with
        return make_response(message, exc.code, {"Content-Type": "text/plain; charset=utf-8"})


def install(app: Flask) -> None:
    """The per-request workspace's clean-up and the error pages (JSON under /api/)."""
    app.teardown_appcontext(_close_workspace)
    app.register_error_handler(WorkspaceError, _bad)
    app.register_error_handler(HTTPException, _http)
