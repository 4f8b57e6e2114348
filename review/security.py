"""The review app's security middleware: one place for every gate a request passes.

The transcripts are personal data and the app runs on the researcher's own machine, so:

- only the Host names of this machine are answered (``TRUSTED_HOSTS``): a DNS-rebinding page
  cannot talk to the app. The server binds a random loopback address 127.x.y.z per run
  (:mod:`.server`), and cookies are scoped by host, not by port, so the session cookie is
  never sent to another local server (which could replay it);
- every request needs the random access token: the URL printed at start carries it once
  (``/?token=...``), the app swaps it for an HttpOnly, SameSite=Strict cookie and redirects
  to a clean URL; anything else gets 403;
- state-changing requests (POST) need a CSRF header derived from the token, JSON, and, when
  the browser sends them, an Origin of this very server and ``Sec-Fetch-Site: same-origin``;
- ids in URLs must fit SQLite's integer (a 20-digit id used to overflow it: HTTP 500);
- every response says nosniff, no framing, no referrer, no caching, and a strict
  Content-Security-Policy: scripts and styles from the app only (the waveform player's one
  ``<style>`` element is allowed by a per-response nonce, :func:`csp_nonce`).

:func:`install` wires these as Flask ``before_request``/``after_request`` hooks; the
blueprints contain no security code of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: largest id or offset accepted from a request (SQLite integers are 64-bit signed)
MAX_ID = 2**31 - 1


def settings(token: str, trusted_hosts: list[str] | None) -> dict[str, Any]:
    """The app config the gates read: the token, the CSRF value and cookie name derived
    from it, and the trusted Host names (``None``: any, for a non-loopback ``--host``)."""
    return {
        "TOKEN": token,
        "CSRF": hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest(),
        "COOKIE": "jt_" + hashlib.sha256(token.encode()).hexdigest()[:10],
        # checked in _gate (Flask itself only checks when request.host is read)
        "TRUSTED_HOSTS": trusted_hosts if trusted_hosts is not None else list(LOOPBACK),
    }


def install(app: Flask) -> None:
    """Put the gates in front of every route of ``app`` (blueprints included)."""
    app.url_value_preprocessor(_ids)
    app.before_request(_gate)
    app.after_request(_headers)


def csp_nonce() -> str:
    """A fresh nonce for this response's Content-Security-Policy (style-src)."""
    g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Ids in URLs must fit SQLite's integer (a 20-digit id overflowed it: HTTP 500)."""
    if values and "iid" in values and not 0 <= values["iid"] <= MAX_ID:
        abort(404, "no such interview")


def _gate() -> Response | None:
    cfg = current_app.config
    trusted = cfg["TRUSTED_HOSTS"]
    if trusted is not None:
        host = urlsplit("//" + request.headers.get("Host", "")).hostname or ""
        if host not in trusted and f"[{host}]" not in trusted:
            abort(400, "unknown Host")
    given = request.args.get("token")
    if given is not None:
        return _swap_token_for_cookie(given)
    cookie = request.cookies.get(cfg["COOKIE"], "")
    if not hmac.compare_digest(cookie, cfg["TOKEN"]):
        abort(403)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        _check_csrf()
    return None


def _swap_token_for_cookie(given: str) -> Response:
    """The token from the URL becomes a cookie and leaves the address bar and history."""
    cfg = current_app.config
    if not hmac.compare_digest(given, cfg["TOKEN"]):
        abort(403)
    args = {k: v for k, v in request.args.items() if k != "token"}
    target = request.path + ("?" + urlencode(args) if args else "")
    resp = redirect(target, code=303)
    resp.set_cookie(cfg["COOKIE"], cfg["TOKEN"], httponly=True, samesite="Strict", path="/")
    launch = cfg.get("LAUNCH_FILE")
    if launch is not None:  # the browser has read it: the token need not stay on disk
        launch.unlink(missing_ok=True)
    return resp


def _check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(sent, current_app.config["CSRF"]):
        abort(403, "missing or wrong CSRF token")
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        abort(403, "cross-site request")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin:
        o = urlsplit(origin)
        if f"{o.scheme}://{o.netloc}" != request.host_url.rstrip("/"):
            abort(403, "request from another origin")
    if not request.is_json:
        abort(415, "send JSON")


def _headers(resp: Response) -> Response:
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "no-referrer"
    nonce = g.get("csp_nonce")
    style = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self'; style-src {style}; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp
