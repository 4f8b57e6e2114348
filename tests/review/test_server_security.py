"""The review server's threat model: the token never on a command line, a per-run loopback
address so the session cookie reaches no other local server, and 4xx (never 500) for every
malformed id or body."""

from __future__ import annotations

import http.cookiejar
import os
import re
import stat
import subprocess
import sys
import urllib.request

import pytest

from journeytape.review.app import create_app

TOKEN = "test-token-0123456789"
BIG = 10**20  # a 20-digit id: more than SQLite's 64-bit integers


@pytest.fixture
def client(folder):
    c = create_app(folder, token=TOKEN, reviewer="carol").test_client()
    assert c.get(f"/?token={TOKEN}").status_code == 303
    return c


def test_malformed_ids_and_bodies_get_4xx(client):
    html = client.get("/").get_data(as_text=True)
    h = {"X-CSRF-Token": re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)}
    for url in (f"/i/{BIG}", f"/audio/{BIG}", "/i/-1"):
        r = client.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code)
    assert client.get("/search?q=" + '("' * 300).status_code == 200  # just finds nothing
    span = {"segment_id": 0, "start_char": 0, "end_char": 1}
    posts = [
        (f"/api/i/{BIG}/speaker", {"speaker": "SPEAKER_00", "label": "x"}),
        ("/api/i/1/word", {**span, "segment_id": BIG, "new": "x"}),
        ("/api/i/1/word", {**span, "start_char": BIG, "end_char": BIG + 1, "new": "x"}),
        ("/api/i/1/word", {**span, "new": {"nested": ["object"]}}),
        ("/api/i/1/tags", {**span, "segment_id": BIG, "label": "PEAK"}),
        ("/api/i/1/tags", {**span, "label": "PEAK", "value": 5, "note": [1]}),
        ("/api/i/1/tags", {**span, "label": ["PEAK"]}),
        ("/api/i/1/tag/" + "x" * 5000, {"action": "accept"}),
        ("/api/i/1/tag/abc", {"action": ["accept"]}),
        ("/api/i/1/tag/abc", {"action": "edit", "label": "PEAK", "value": {"a": 1}}),
        ("/api/i/1/speaker", {"speaker": ["SPEAKER_00"], "label": {"a": 1}}),
        ("/api/i/1/speaker", {"speaker": "SPEAKER_00", "label": "x" * 10_000}),
    ]
    for url, body in posts:
        r = client.post(url, headers=h, json=body)
        assert 400 <= r.status_code < 500, (url[:40], body, r.status_code)
        assert "error" in r.get_json()
    raw = ["[" * 30_000 + "]" * 30_000, '{"speaker": "\\ud800", "label": "x"}', "[1]", "1e999"]
    for data in raw:
        r = client.post("/api/i/1/speaker", headers=h, data=data, content_type="application/json")
        assert 400 <= r.status_code < 500, (data[:20], r.status_code)


FAKE_BROWSER = """#!/bin/sh
# what a browser would be started with, as `ps` shows it; and the file it was given
echo "$@" > "{log}"
f=$(echo "$1" | sed 's|^file://||')
stat -c %a "$f" >> "{log}"
cat "$f" >> "{log}"
"""


def test_browser_gets_a_private_file_never_the_token_and_the_cookie_stays_home(folder, tmp_path):
    log = tmp_path / "browser.log"
    script = tmp_path / "fake-browser"
    script.write_text(FAKE_BROWSER.format(log=log))
    script.chmod(0o700)
    env = {**os.environ, "BROWSER": f"{script} %s"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "journeytape", "review", str(folder), "--reviewer", "t"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        url = None
        for _ in range(50):
            m = re.search(
                r"(http://(127(?:\.\d+){3}):(\d+)/\?token=([\w-]+))", proc.stdout.readline()
            )
            if m:
                url, host, port, token = m.groups()
                break
        assert url, "no link printed"
        for _ in range(100):
            if log.exists() and len(log.read_text().splitlines()) >= 3:
                break
            subprocess.run(["sleep", "0.1"])
        argv, mode, page = log.read_text().split("\n", 2)
        assert token not in argv and argv.startswith("file:///"), argv
        assert mode == "600" and url in page.replace("&amp;", "&")
        # a per-run address: the cookie is never sent to another server on 127.0.0.1
        assert host != "127.0.0.1" or not sys.platform.startswith("linux")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        assert opener.open(url, timeout=10).status == 200
        (cookie,) = list(jar)
        assert cookie.domain == host and cookie.value == token
        other = urllib.request.Request("http://127.0.0.1:8080/")
        jar.add_cookie_header(other)
        assert not other.has_header("Cookie")
    finally:
        proc.terminate()
        proc.wait(10)
    opened = argv.removeprefix("file://")
    assert not os.path.exists(opened)  # removed when the server stops
    assert stat.S_IMODE(os.stat(folder / ".journeytape").st_mode) == 0o700


@pytest.mark.browser
def test_real_browser_never_sends_the_cookie_to_another_local_server(folder, driver):
    """Chromium, as a user runs it: on a per-run 127.x.y.z the session cookie is not sent to
    a server on 127.0.0.1 (any port); on 127.0.0.1 it would be (the control)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from werkzeug.serving import make_server

    from journeytape.review.app import LOOPBACK, random_loopback

    seen: list[str] = []

    class Snoop(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            seen.append(self.headers.get("Cookie") or "")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"snoop")

        def log_message(self, *args):
            pass

    snoop = ThreadingHTTPServer(("127.0.0.1", 0), Snoop)
    threading.Thread(target=snoop.serve_forever, daemon=True).start()
    servers = []
    try:
        sent = {}
        for host in (random_loopback(), "127.0.0.1"):
            app = create_app(folder, token=TOKEN, trusted_hosts=[*LOOPBACK, host])
            server = make_server(host, 0, app, threaded=True)
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            driver.delete_all_cookies()
            driver.get(f"http://{host}:{server.server_port}/?token={TOKEN}")
            assert "onboarding_en" in driver.page_source
            seen.clear()
            driver.get(f"http://127.0.0.1:{snoop.server_port}/")
            sent[host] = any(app.config["COOKIE"] in c for c in seen)
        rand, local = list(sent)
        assert sent == {rand: False, local: True}, sent
    finally:
        snoop.shutdown()
        for s in servers:
            s.shutdown()
