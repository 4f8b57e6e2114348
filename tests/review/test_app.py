"""The review app over HTTP (Flask's test client): token, CSRF, traversal, escaping, ranges."""

from __future__ import annotations

import re

import pytest

from journeytape.review.app import create_app, pieces
from journeytape.review.store import Workspace

TOKEN = "test-token-0123456789"


@pytest.fixture
def app(folder):
    return create_app(folder, token=TOKEN, reviewer="carol")


@pytest.fixture
def client(app):
    c = app.test_client()
    r = c.get(f"/?token={TOKEN}")
    assert r.status_code == 303 and r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return c


@pytest.fixture
def ids(folder):
    with Workspace(folder) as ws:
        ws.scan()
        return {s.name: s.id for s in ws.interviews()}


def csrf(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([0-9a-f]+)"', html).group(1)


def test_every_url_needs_the_token(app, ids):
    anon = app.test_client()
    iid = ids["onboarding_en"]
    for url in (
        "/",
        f"/i/{iid}",
        f"/audio/{iid}",
        "/search?q=portal",
        "/export/csv",
        "/static/app.js",
        "/nope",
    ):
        assert anon.get(url).status_code == 403, url
    assert anon.get("/?token=wrong").status_code == 403
    assert anon.post(f"/api/i/{iid}/speaker", json={}).status_code == 403
    # the token works once in the URL, then as a cookie
    assert anon.get(f"/i/{iid}?token={TOKEN}").headers["Location"] == f"/i/{iid}"
    assert anon.get(f"/i/{iid}").status_code == 200


def test_only_this_machines_host_names_are_answered(client):
    # a DNS-rebinding page would arrive with its own host name, even with the right token
    r = client.get(f"/?token={TOKEN}", headers={"Host": "evil.example:8000"})
    assert r.status_code == 400
    assert client.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1:5000"}).status_code == 303


def test_transcript_text_is_always_escaped(client, ids):
    html = client.get(f"/i/{ids['onboarding_en']}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    # only the app's own script tags: app.js and the vendored waveform player
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == [
        '<script src="/static/vendor/wavesurfer/wavesurfer.min.js">',
        '<script src="/static/vendor/wavesurfer/regions.min.js">',
        '<script src="/static/app.js">',
    ]
    hits = client.get("/search?q=alert").get_data(as_text=True)
    assert "&lt;script&gt;" in hits and "<script>alert" not in hits
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_no_path_traversal(client, ids, folder):
    secret = folder.parent / "secret.txt"
    secret.write_text("top secret")
    for url in (
        "/audio/../secret.txt",
        "/audio/..%2F..%2Fsecret.txt",
        "/static/../app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e/store.py",
        "/audio/-1",
        "/audio/99999",
        "/i/..%2F..%2Fetc%2Fpasswd",
        "/export/..%2F..%2Fsecret.txt",
        f"/audio/{ids['onboarding_en']}/../../secret.txt",
    ):
        r = client.get(url)
        assert r.status_code in (404, 400), (url, r.status_code)
        assert b"top secret" not in r.data and b"def create_app" not in r.data
    # each interview serves exactly its own indexed recording
    r = client.get(f"/audio/{ids['later/only_transcribed']}")
    assert r.data == (folder / "later" / "only_transcribed.wav").read_bytes()


def test_audio_supports_range_requests(client, ids, folder):
    iid = ids["onboarding_en"]
    full = (folder / "onboarding_en.wav").read_bytes()
    r = client.get(f"/audio/{iid}", headers={"Range": "bytes=100-199"})
    assert r.status_code == 206
    assert r.headers["Content-Range"] == f"bytes 100-199/{len(full)}"
    assert r.data == full[100:200] and r.headers["Content-Type"] == "audio/wav"
    assert client.get(f"/audio/{iid}").headers["Accept-Ranges"] == "bytes"


def test_state_changes_need_csrf_token_same_origin_and_json(client, ids, folder):
    iid = ids["onboarding_en"]
    with Workspace(folder) as ws:
        tag = ws.interview(iid).tags[0].id
    url = f"/api/i/{iid}/tag/{tag}"
    token = csrf(client)
    good = {"X-CSRF-Token": token, "Origin": "http://localhost"}
    assert client.post(url, json={"action": "accept"}).status_code == 403  # no token
    assert (
        client.post(
            url, json={"action": "accept"}, headers={**good, "X-CSRF-Token": "0" * 64}
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"action": "accept"}, headers={**good, "Origin": "http://evil.example"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"action": "accept"}, headers={**good, "Sec-Fetch-Site": "cross-site"}
        ).status_code
        == 403
    )
    # a classic cross-site form post (no JSON) is refused even with the token
    assert client.post(url, data={"action": "accept"}, headers=good).status_code == 415
    # GET never changes state
    assert client.get(url).status_code == 405
    with Workspace(folder) as ws:
        assert ws.history() == []
    r = client.post(
        url, json={"action": "accept"}, headers={**good, "Sec-Fetch-Site": "same-origin"}
    )
    assert r.status_code == 200 and r.get_json()["tag"]["status"] == "accepted"
    with Workspace(folder) as ws:
        (h,) = ws.history()
    assert (h["kind"], h["target"], h["who"]) == ("tag_status", tag, "carol")


def test_api_actions_and_bad_input(client, ids, folder):
    iid = ids["onboarding_en"]
    h = {"X-CSRF-Token": csrf(client)}
    with Workspace(folder) as ws:
        v = ws.interview(iid)
    seg = v.segment(4)
    i = seg.original_text.index("colleague")
    r = client.post(
        f"/api/i/{iid}/word",
        headers=h,
        json={
            "segment_id": 4,
            "start_char": i,
            "end_char": i + 9,
            "new": "<b>IT guy</b>",
            "who": "dave",
        },
    )
    assert r.status_code == 200
    body = r.get_json()
    assert "&lt;b&gt;IT guy&lt;/b&gt;" in body["segment"] and "<b>IT guy" not in body["segment"]
    assert "Checklist coverage" in body["sidebar"]
    r = client.post(
        f"/api/i/{iid}/tags",
        headers=h,
        json={"segment_id": 4, "start_char": 0, "end_char": 5, "label": "PEAK", "value": "low"},
    )
    assert r.status_code == 200 and r.get_json()["tag"]["status"] == "accepted"
    r = client.post(
        f"/api/i/{iid}/tags",
        headers=h,
        json={"segment_id": 4, "start_char": "0", "end_char": 5, "label": "PEAK"},
    )
    assert r.status_code == 400
    r = client.post(
        f"/api/i/{iid}/tags",
        headers=h,
        json={"segment_id": 4, "start_char": 0, "end_char": 5, "label": "BOGUS"},
    )
    assert r.status_code == 400 and "label must be one of" in r.get_json()["error"]
    r = client.post(
        f"/api/i/{iid}/speaker", headers=h, json={"speaker": "SPEAKER_00", "label": "Eve"}
    )
    assert r.get_json() == {"speaker": "SPEAKER_00", "label": "Eve"}
    r = client.post(f"/api/i/{iid}/tag/{v.tags[0].id}", headers=h, json={"action": "explode"})
    assert r.status_code == 400
    with Workspace(folder) as ws:
        whos = {x["who"] for x in ws.history()}
    assert whos == {"dave", "carol"}
    page = client.get(f"/i/{iid}").get_data(as_text=True)
    assert "Eve" in page and "&lt;b&gt;IT guy&lt;/b&gt;" in page


def test_pages_search_and_downloads(client, ids):
    index = client.get("/").get_data(as_text=True)
    assert "onboarding_en" in index and "transcribed" in index and "5/6" in index
    r = client.get("/search?q=frustrated&label=EMOTION&value=frustration")
    html = r.get_data(as_text=True)
    assert "1 quote(s)" in html and "<mark>frustrating</mark>" in html
    for fmt, ctype in (
        ("csv", "text/csv"),
        ("md", "text/markdown"),
        ("qdpx", "application/zip"),
        ("timeline.json", "application/json"),
    ):
        r = client.get(f"/export/{fmt}?interview=onboarding_en")
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(ctype), fmt
        assert "attachment" in r.headers["Content-Disposition"]
    r = client.get("/export/csv?interview=nope")
    assert r.status_code == 404 and "no interview named nope" in r.get_data(as_text=True)


def test_pieces_cover_the_text_once_and_carry_sentence_starts(folder, ids):
    with Workspace(folder) as ws:
        v = ws.interview(ids["onboarding_en"])
    seg = v.segment(2)  # "Honestly I was not really happy. I would give it six out of ten."
    ps = pieces(seg, [t for t in v.tags if t.segment_id == 2])
    assert "".join(p.text for p in ps) == seg.text
    second = next(p for p in ps if p.text.strip() == "would")
    first_i = next(p for p in ps if p.text.strip() == "I" and p.ss == second.ss)
    assert second.ss == first_i.t > seg.start  # the sentence "I would give it..." starts at "I"
    happy = next(p for p in ps if p.text.strip(" .") == "happy")
    assert happy.ss == seg.start and happy.labels == ["EMOTION"]


def test_review_command_serves_on_loopback_with_a_secret_link(folder):
    """`journeytape review FOLDER --no-browser` as a user runs it: the printed link works,
    the same address without the token does not."""
    import http.cookiejar
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeytape.cli",
            "review",
            str(folder),
            "--no-browser",
            "--reviewer",
            "cli-test",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        for _ in range(50):
            line = proc.stdout.readline()
            if not line:
                break
            m = re.search(r"(http://127(?:\.\d+){3}:\d+/\?token=[\w-]+)", line)
            if m:
                url = m.group(1)
                break
        assert url, "the command printed no link"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        html = opener.open(url, timeout=10).read().decode()
        assert "onboarding_en" in html and 'value="cli-test"' in html
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url.split("?")[0], timeout=10)
        assert err.value.code == 403
    finally:
        proc.terminate()
        proc.wait(10)


def test_hostile_values_from_the_files_are_escaped_everywhere(folder, builders):
    """Tag ids, values and speaker names come from files too: escaped in every context."""
    from journeytape.transcribe.transcript import load_transcript, save_transcript

    tpath = folder / "laptop_nl.transcript.json"
    t = load_transcript(tpath)
    t.speakers[0].label = '<img src=x onerror="alert(1)">'
    save_transcript(t, tpath)
    tag = builders.make_tag(t, 1, "portaal", "CHANNEL", '"><svg onload=alert(2)>')
    tag.id = 'x" onmouseover="alert(3)'
    builders.write_annotations(folder, "laptop_nl", t, [tag])
    app = create_app(folder, token=TOKEN)
    c = app.test_client()
    c.get(f"/?token={TOKEN}")
    with Workspace(folder) as ws:
        iid = ws.interview_id("laptop_nl")
    html = c.get(f"/i/{iid}").get_data(as_text=True)
    for bad in ("<img src=x", "<svg onload", '" onmouseover="alert(3)'):
        assert bad not in html
    assert "&lt;img src=x" in html and "&lt;svg onload=alert(2)&gt;" in html
    md = c.get("/export/md?interview=laptop_nl").get_data(as_text=True)
    # Markdown renderers show a backslash-escaped "<" as text
    assert not re.search(r"(?<!\\)<(img|svg)", md) and "\\<img" in md


def test_label_colours_come_from_the_one_table(app, client, repo_dir):
    """The stylesheet of label colours is generated from presentation.LABEL_COLORS (the CSP
    forbids inline styles); app.css and app.js hold no copy of them."""
    from journeytape.presentation import LABEL_COLORS

    assert app.test_client().get("/labels.css").status_code == 403  # behind the gates too
    r = client.get("/labels.css")
    assert r.status_code == 200 and r.mimetype == "text/css"
    css = r.get_data(as_text=True)
    for label, colour in LABEL_COLORS.items():
        assert f"--{label}:{colour};" in css
        assert f".hl-{label} {{" in css and f".hide-{label} .chip.lab-{label}" in css
    page = client.get("/").get_data(as_text=True)
    assert page.index('href="/labels.css"') < page.index("app.css")  # app.css may override
    static = repo_dir / "review" / "static"
    app_css = (static / "app.css").read_text("utf-8")
    app_js = (static / "app.js").read_text("utf-8")
    for label in LABEL_COLORS:
        assert not re.search(rf"--{label}\s*:", app_css), label  # defined in labels.css only
        assert not re.search(rf"\b{label}\s*:\s*\"[\d#]", app_js), label  # JS reads the CSS
