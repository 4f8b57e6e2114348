"""Running the review app on this machine: a random loopback address per run, the browser
opened on a 0600 local file (so the access token is never on a command line that ``ps``
shows), a clean stop on Ctrl-C or SIGTERM."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from .security import LOOPBACK


def random_loopback() -> str:
    """A random 127.x.y.z address: a per-run host, so cookies set by this app go to no other
    local server (cookies are scoped by host name, not by port)."""
    return "127.{}.{}.{}".format(*(secrets.randbelow(254) + 1 for _ in range(3)))


def launch_file(folder: Path, url: str) -> Path:
    """A 0600 HTML file that sends the browser to ``url``: the browser is started with this
    file's name, so the token is never on a command line that ``ps`` shows other users."""
    import html
    import os

    from .store import WORKSPACE_DIR

    path = Path(folder) / WORKSPACE_DIR / f"open-review-{os.getpid()}.html"
    u = html.escape(url, quote=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            "<!doctype html><meta charset=utf-8><meta name=referrer content=no-referrer>"
            f'<meta http-equiv=refresh content="0;url={u}"><title>journeytape review</title>'
            f'<p><a href="{u}">Open the journeytape review app</a></p>\n'
        )
    return path


def _exit_on_sigterm() -> None:
    """SIGTERM (logout, kill) unwinds like Ctrl-C, so the launch file is removed."""
    import signal
    import threading

    def _raise(signum, frame):
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise)


def serve(
    folder: str | Path,
    *,
    host: str | None = None,
    port: int = 0,
    reviewer: str | None = None,
    open_browser: bool = True,
    ready: Callable[[str], object] | None = None,
) -> None:
    """Run the app until Ctrl-C; ``port=0`` picks a free port; ``host=None`` a random
    loopback address (127.0.0.1 if the system refuses it). ``ready(url)`` is called once
    the server listens (the CLI prints the URL)."""
    import logging

    from werkzeug.serving import make_server

    from .app import create_app

    chosen = host or random_loopback()
    trusted = [*LOOPBACK, chosen] if host is None or host in LOOPBACK else None
    app = create_app(folder, reviewer=reviewer, trusted_hosts=trusted)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    try:
        server = make_server(chosen, port, app, threaded=True)
    except OSError:
        if host is not None:
            raise
        chosen = "127.0.0.1"  # e.g. macOS only answers on 127.0.0.1 by default
        server = make_server(chosen, port, app, threaded=True)
    shown = "127.0.0.1" if chosen == "0.0.0.0" else chosen
    url = f"http://{shown}:{server.server_port}/?token={app.config['TOKEN']}"
    if ready:
        ready(url)
    opener: Path | None = None
    if open_browser:
        import webbrowser

        opener = app.config["LAUNCH_FILE"] = launch_file(app.config["FOLDER"], url)
        webbrowser.open(opener.as_uri())
    _exit_on_sigterm()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if opener is not None:
            opener.unlink(missing_ok=True)
