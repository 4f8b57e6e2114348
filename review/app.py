"""The review web app: a small Flask app over the workspace, for one researcher on this machine.

Security model (the transcripts are personal data):

- bound to a random loopback address 127.x.y.z per run (Linux routes all of 127/8 to this
  machine; 127.0.0.1 where that fails), and only answers to the Host names of this machine
  (``TRUSTED_HOSTS``), so a DNS-rebinding page cannot talk to it. Cookies are scoped by host,
  not by port: on a per-run address the session cookie is never sent to another local
  server (which could replay it) the way a cookie for 127.0.0.1 would be;
- every request needs the random access token: the URL printed at start carries it once
  (``/?token=...``), the app swaps it for an HttpOnly, SameSite=Strict cookie and redirects
  to a clean URL; anything else gets 403. The browser is opened on a 0600 local HTML file
  that redirects there, so the token never appears on a command line (``ps``);
- every id and body field is checked (type, range, length): malformed input gets 4xx, never
  a 500 with a traceback;
- state-changing requests are POSTs with a JSON body, a CSRF token header derived from the
  access token, and, when the browser sends them, an Origin of this very server and
  ``Sec-Fetch-Site: same-origin``;
- the only files ever served are the app's own static files and the recordings indexed in
  the workspace, looked up by interview id (no path ever comes from a URL);
- all transcript text goes through Jinja's autoescaping (``<script>`` shows as text).
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import mimetypes
import re
import secrets
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, g, jsonify, make_response, redirect, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from journeytape.annotate.annotations import LABELS
from journeytape.presentation import LABEL_COLORS, clock

from . import exports
from .store import InterviewView, SegmentView, TagView, Workspace, WorkspaceError

AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".webm": "audio/webm",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: most quotes a search page lists (the page says so when there are more)
SEARCH_LIMIT = 200
_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")


# -- rendering helpers (pure, tested without a browser) ------------------------------------------


@dataclass(slots=True)
class Piece:
    text: str
    s: int  # span in the segment's original text
    e: int
    t: float  # seconds: the word's start (or the segment's)
    te: float
    ss: float  # start of the sentence this piece belongs to
    word: int | None
    fixed: bool = False
    labels: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def sentence_starts(seg: SegmentView) -> list[float]:
    """For each word, the start time of the sentence it belongs to."""
    out, current, new = [], seg.start, True
    for w in seg.words:
        if new:
            current = w.start
        out.append(current)
        new = bool(_SENTENCE_END.search(w.word.strip()))
    return out


def pieces(seg: SegmentView, tags: list[TagView]) -> list[Piece]:
    """Split a segment into spans that share one word, one set of tags, one fix."""
    n = len(seg.original_text)
    visible = [t for t in tags if t.visible]
    bounds = {0, n}
    for w in seg.words:
        if w.start_char >= 0:
            bounds.update((w.start_char, w.end_char))
    for t in visible:
        bounds.update((max(0, min(n, t.start_char)), max(0, min(n, t.end_char))))
    for f in seg.fixes:
        bounds.update((f.start_char, f.end_char))
    # nothing may cut a corrected span
    if seg.fixes:
        bounds = {b for b in bounds if not any(f.start_char < b < f.end_char for f in seg.fixes)}
    cuts = sorted(bounds)
    ss = sentence_starts(seg)
    words = sorted((w for w in seg.words if w.start_char >= 0), key=lambda w: w.start_char)
    starts = [w.start_char for w in words]
    fix_at = {f.start_char: f for f in seg.fixes}
    out: list[Piece] = []
    for p, q in zip(cuts, cuts[1:], strict=False):
        fix = fix_at.get(p)
        text = fix.new if fix else seg.original_text[p:q]
        # the word holding offset p (words are located in order and do not overlap)
        k = bisect.bisect_right(starts, p) - 1
        word = words[k] if k >= 0 and p < words[k].end_char else None
        if word is None and fix is not None:
            word = next((w for w in words if w.start_char < q and w.end_char > p), None)
        covering = [t for t in visible if t.start_char <= p and t.end_char >= q] if visible else []
        ids = [t.id for t in covering]
        prev = out[-1] if out else None
        if (
            word is None
            and fix is None
            and prev is not None
            and not prev.fixed
            and prev.tags == ids
        ):
            # spaces and punctuation join the word before them: half the spans on a page
            prev.text += text
            prev.e = q
            continue
        out.append(
            Piece(
                text=text,
                s=p,
                e=q,
                t=word.start if word else (prev.te if prev else seg.start),
                te=word.end if word else (prev.te if prev else seg.start),
                ss=ss[word.index] if word else (prev.ss if prev else seg.start),
                word=word.index if word else None,
                fixed=fix is not None,
                labels=list(dict.fromkeys(t.label for t in covering)) if covering else [],
                tags=ids,
            )
        )
    return out


def text_html(seg: SegmentView, tags: list[TagView]) -> Markup:
    """The segment's text as spans (what ``pieces`` computes), built in Python: a two-hour
    interview has ~50,000 of them and a template loop would take seconds. Everything from
    the files is escaped."""
    out = []
    by_id = {t.id: t for t in tags}
    for p in pieces(seg, tags):
        cls = "w" + "".join(f" hl-{escape(lab)}" for lab in p.labels)
        if "EMOTION" in p.labels:
            emos = [by_id[i] for i in p.tags if by_id[i].label == "EMOTION"]
            cls += "".join(f" {v}" for v in dict.fromkeys(valence(t) for t in emos) if v)
            if any(t.attrs.get("negated") for t in emos):
                cls += " negated"
        if p.fixed:
            cls += " fixed"
        extra = ""
        if p.tags:
            extra = f' data-tags="{escape(" ".join(p.tags))}" title="{escape(", ".join(p.labels))}"'
        out.append(
            f'<span class="{cls}" data-s="{p.s}" data-e="{p.e}" data-t="{p.t:g}" '
            f'data-te="{p.te:g}" data-ss="{p.ss:g}"{extra}>{escape(p.text)}</span>'
        )
    return Markup("".join(out))


def valence(t: TagView) -> str:
    """CSS class for an emotion's direction: "pos" (relieved, delighted), "neg"
    (frustrated), "neutral"; "" for other labels. Colour follows valence, not the label."""
    p = exports.polarity(t)
    if p is None:
        return ""
    return "pos" if p > 0.05 else "neg" if p < -0.05 else "neutral"


def emotion_curve(view: InterviewView, width: int = 320, height: int = 130) -> dict[str, Any]:
    """Coordinates for the inline SVG: emotion polarity (and scores) over the interview."""
    pad_l, pad_r, pad_t, pad_b = 28, 8, 10, 18
    dur = max(view.duration or 0, max((t.end for t in view.tags), default=0), 1.0)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(t: float) -> float:
        return round(pad_l + plot_w * min(max(t / dur, 0), 1), 1)

    def y(p: float) -> float:  # polarity -1..1 → bottom..top
        return round(pad_t + plot_h * (1 - (max(-1.0, min(1.0, p)) + 1) / 2), 1)

    points, scores = [], []
    for t in view.tags:
        if not t.visible:
            continue
        if (p := exports.polarity(t)) is not None:
            points.append(
                {
                    "x": x(t.start),
                    "y": y(p),
                    "t": t.start,
                    "p": p,
                    "label": t.value or "",
                    "quote": t.text,
                }
            )
        elif (s := exports.score(t)) is not None:
            scores.append(
                {"x": x(t.start), "y": y(s / 5 - 1), "t": t.start, "s": s, "quote": t.text}
            )
    ticks = []
    step = next((s for s in (10, 30, 60, 120, 300, 600, 1200) if dur / s <= 6), 1800)
    k = 0
    while k * step <= dur:
        ticks.append({"x": x(k * step), "label": clock(k * step)})
        k += 1
    marks = [
        {"x": x(float(m["t"])), "t": float(m["t"]), "label": m.get("label") or "marker"}
        for m in view.markers
    ]
    return {
        "width": width,
        "height": height,
        "points": points,
        "markers": marks,
        "scores": scores,
        "line": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
        "zero": y(0),
        "top": y(1),
        "bottom": y(-1),
        "left": pad_l,
        "right": width - pad_r,
        "ticks": ticks,
        "tick_y": height - 4,
    }


# -- the app --------------------------------------------------------------------------------------


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
    folder = Path(folder).resolve()
    with Workspace(folder, reviewer) as ws:  # creates the database and checks the folder
        if scan:
            ws.scan()
        reviewer = ws.reviewer
    token = token or secrets.token_urlsafe(24)
    app = Flask(__name__)
    app.config.update(
        FOLDER=folder,
        TOKEN=token,
        CSRF=hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest(),
        COOKIE="jt_" + hashlib.sha256(token.encode()).hexdigest()[:10],
        REVIEWER=reviewer,
        # checked in _gate (Flask itself only checks when request.host is read)
        TRUSTED_HOSTS=trusted_hosts if trusted_hosts is not None else list(LOOPBACK),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    nav_pages = _register_stage_pages(app)
    app.jinja_env.globals.update(
        clock=clock,
        LABELS=LABELS,
        LABEL_COLORS=LABEL_COLORS,
        text_html=text_html,
        valence=valence,
        NAV_PAGES=nav_pages,
    )

    def ws() -> Workspace:
        if "ws" not in g:
            g.ws = Workspace(folder, app.config["REVIEWER"], create=False)
        return g.ws

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        w = g.pop("ws", None)
        if w is not None:
            w.close()

    # -- security gates ---------------------------------------------------------------------
    @app.url_value_preprocessor
    def _ids(_endpoint, values):
        """Ids in URLs must fit SQLite's integer (a 20-digit id overflowed it: HTTP 500)."""
        for key in ("iid",):
            if values and key in values and not 0 <= values[key] <= MAX_ID:
                abort(404, "no such interview")

    @app.before_request
    def _gate():
        trusted = app.config["TRUSTED_HOSTS"]
        if trusted is not None:
            host = urlsplit("//" + request.headers.get("Host", "")).hostname or ""
            if host not in trusted and f"[{host}]" not in trusted:
                abort(400, "unknown Host")
        given = request.args.get("token")
        if given is not None:
            if not hmac.compare_digest(given, token):
                abort(403)
            # swap the URL token for a cookie and drop it from the address bar and history
            args = {k: v for k, v in request.args.items() if k != "token"}
            target = request.path + ("?" + urlencode(args) if args else "")
            resp = redirect(target, code=303)
            resp.set_cookie(app.config["COOKIE"], token, httponly=True, samesite="Strict", path="/")
            launch = app.config.get("LAUNCH_FILE")
            if launch is not None:  # the browser has read it: the token need not stay on disk
                launch.unlink(missing_ok=True)
            return resp
        cookie = request.cookies.get(app.config["COOKIE"], "")
        if not hmac.compare_digest(cookie, token):
            abort(403)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _check_csrf()
        return None

    def _check_csrf() -> None:
        sent = request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(sent, app.config["CSRF"]):
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

    @app.after_request
    def _headers(resp):
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

    @app.errorhandler(WorkspaceError)
    def _bad(exc: WorkspaceError):
        if request.path.startswith("/api/"):
            return jsonify(error=str(exc)), 400
        return render_template("error.html", message=str(exc)), 404

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=exc.description), exc.code
        message = f"{exc.code} {exc.name}: {exc.description}"
        try:
            return make_response(render_template("error.html", message=message), exc.code)
        except Exception:  # e.g. an untrusted Host: no URL adapter to build links with
            return make_response(message, exc.code, {"Content-Type": "text/plain; charset=utf-8"})

    def page(template: str, **kw: Any):
        # a per-response nonce lets the vendored waveform player add its one <style> element
        # (in its shadow DOM) without allowing inline styles in general
        g.csp_nonce = secrets.token_urlsafe(16)
        return render_template(
            template,
            csrf=app.config["CSRF"],
            reviewer=app.config["REVIEWER"],
            csp_nonce=g.csp_nonce,
            **kw,
        )

    # -- pages -------------------------------------------------------------------------------
    @app.get("/")
    def index():
        w = ws()
        items = w.interviews()
        return page(
            "index.html",
            interviews=items,
            folder=folder,
            orphans=w.orphans(),
            summary=study_summary(w, items),
        )

    @app.get("/i/<int:iid>")
    def interview(iid: int):
        view = ws().interview(iid)
        if view.annotated:
            from .derive import warm

            warm(view.language)  # the first tag edit then needs no wait for spaCy
        return page("interview.html", v=view, **_interview_parts(view))

    @app.get("/search")
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
            ws().search(q, label=label, value=value, role=role, limit=SEARCH_LIMIT)
            if (q or label or value)
            else []
        )
        return page("search.html", q=q, label=label, value=value, role=role, hits=hits)

    @app.get("/audio/<int:iid>")
    def audio(iid: int):
        from flask import send_file

        path = ws().audio_path(iid)
        if path is None or not path.is_file():
            abort(404, "no recording for this interview")
        mime = AUDIO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        resp = send_file(path, mimetype=mime or "application/octet-stream", conditional=True)
        resp.headers["Cache-Control"] = "private, max-age=0"
        return resp

    @app.get("/export/<fmt>")
    def export(fmt: str):
        from flask import send_file

        if fmt not in exports.REGISTRY:
            abort(404)
        names = request.args.getlist("interview") or None
        opts = exports.Options(
            include_pending=request.args.get("pending", "1") != "0",
            include_audio=request.args.get("audio", "1") != "0",
        )
        views = exports.load_views(ws(), names)
        name, mime, data = exports.download(ws(), fmt, views, opts)
        import io

        return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)

    # -- audio: waveform peaks, clips, highlight reels (media.py, pydub) --------------------
    def recording(iid: int) -> Path:
        path = ws().audio_path(iid)
        if path is None or not path.is_file():
            abort(404, "no recording for this interview")
        return path

    def quotes_ok(iid: int) -> bool:
        """A clip is a quote: none leave the app for an interviewee whose consent excludes
        quotes in reports (as in every export)."""
        from journeytape.erasure import quotes_allowed_for_transcript

        row = (
            ws()
            .conn.execute("SELECT transcript_path FROM interviews WHERE id = ?", (iid,))
            .fetchone()
        )
        return quotes_allowed_for_transcript(row["transcript_path"] if row else None)

    def arg_int(name: str) -> int:
        raw = request.args.get(name, "")
        if not raw.isdigit() or int(raw) > MAX_ID:
            abort(400, f"{name} must be a non-negative integer")
        return int(raw)

    def wav_reply(data: bytes, name: str):
        import io

        from flask import send_file

        return send_file(io.BytesIO(data), mimetype="audio/wav", as_attachment=True,
                         download_name=name)  # fmt: skip

    @app.get("/peaks/<int:iid>")
    def peaks(iid: int):
        from . import media

        resp = jsonify(media.peaks(folder, recording(iid)))
        resp.headers["Cache-Control"] = "private, max-age=0"
        return resp

    @app.get("/clip/<int:iid>")
    @app.get("/clip/<int:iid>/<tag_id>")
    def clip(iid: int, tag_id: str | None = None):
        """A tag (by id) or a selection (segment_id, start_char, end_char) as a WAV clip."""
        from . import media

        audio = recording(iid)
        if not quotes_ok(iid):
            abort(403, "the interviewee did not consent to quotes: no audio clips")
        view = ws().interview(iid)
        if tag_id is not None:
            t = next((t for t in view.tags if t.id == tag_id[:200]), None)
            if t is None:
                abort(404, "no such tag")
            c = media.clip_of_tag(view, t)
        elif "start_char" not in request.args and "end_char" not in request.args:
            seg = view.segment(arg_int("segment_id"))  # a whole segment (a search hit)
            c = media.clip_of_span(view, seg.id, 0, len(seg.original_text))
        else:
            c = media.clip_of_span(
                view, arg_int("segment_id"), arg_int("start_char"), arg_int("end_char")
            )
        data = media.wav_bytes(media.render_clip(audio, c))
        return wav_reply(data, f"{_slug(view.name)}-{c.start:.1f}s-{_slug(c.label)}.wav")

    @app.get("/reel")
    def reel():
        """A highlight reel: every tag of a label (and value), or every search hit, as one
        WAV with a cue sheet (zip)."""
        import io

        from flask import send_file

        from . import media

        q = request.args.get("q", "")[:200]
        label = request.args.get("label") or None
        if label is not None and label not in LABELS:
            abort(400, "unknown label")
        value = (request.args.get("value") or "")[:100] or None
        if not (q or label or value):
            abort(400, "give a label, a value or search words")
        w = ws()
        hits = w.search(q, label=label, value=value, limit=media.MAX_REEL_CLIPS)
        items, views = [], {}
        for h in hits:
            audio = w.audio_path(h.interview_id)
            if audio is None or not audio.is_file() or not quotes_ok(h.interview_id):
                continue
            v = views.get(h.interview_id) or views.setdefault(
                h.interview_id, w.interview(h.interview_id)
            )
            if label or value:
                items += [(audio, media.clip_of_tag(v, t)) for t in h.tags]
            else:
                seg = v.segment(h.segment_id)
                items.append((audio, media.clip_of_span(v, seg.id, 0, len(seg.original_text))))
        name = _slug("reel-" + "-".join(x for x in (label, value, q) if x))
        data = media.reel_zip(items[: media.MAX_REEL_CLIPS], name)
        return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                         download_name=f"{name}.zip")  # fmt: skip

    # -- API: every call is one committed decision ---------------------------------------------
    def body() -> dict[str, Any]:
        return parse_body(request.get_data(cache=True))

    def who(data: dict[str, Any]) -> str | None:
        w = text(data, "who", 80)
        return w if w and w.strip() else None

    def segment_reply(iid: int, seg_id: int, **extra: Any):
        view = ws().interview(iid, words=[seg_id])
        parts = _interview_parts(view)
        seg = view.segment(seg_id)
        return jsonify(
            segment=render_template(
                "_segment.html", v=view, s=seg, seg_tags=parts["by_seg"].get(seg_id, [])
            ),
            sidebar=render_template("_sidebar.html", v=view, **parts),
            **extra,
        )

    def as_int(x: Any, name: str) -> int:
        if isinstance(x, bool) or not isinstance(x, int):
            abort(400, f"{name} must be an integer")
        if not 0 <= x <= MAX_ID:
            abort(400, f"{name} is out of range")
        return x

    @app.post("/api/i/<int:iid>/tag/<tag_id>")
    def tag_action(iid: int, tag_id: str):
        data = body()
        action = text(data, "action", 20)
        if len(tag_id) > 200:
            abort(404, "no such tag")
        w = ws()
        if action in ("accept", "reject", "reset"):
            status = {"accept": "accepted", "reject": "rejected", "reset": "pending"}[action]
            seg_id = w.set_status(iid, tag_id, status, who(data))
        elif action == "edit":
            seg_id = w.edit_tag(
                iid,
                tag_id,
                text(data, "label", 40) or "",
                text(data, "value", 200),
                text(data, "note", 2000),
                who(data),
            )
            status = "accepted"
        elif action == "delete":
            seg_id, status = w.delete_tag(iid, tag_id, who(data)), "deleted"
        else:
            abort(400, "action must be accept, reject, reset, edit or delete")
        return segment_reply(iid, seg_id, tag={"id": tag_id, "status": status})

    @app.post("/api/i/<int:iid>/tags")
    def tag_add(iid: int):
        data = body()
        seg_id = as_int(data.get("segment_id"), "segment_id")
        tid = ws().add_tag(
            iid,
            seg_id,
            as_int(data.get("start_char"), "start_char"),
            as_int(data.get("end_char"), "end_char"),
            text(data, "label", 40) or "",
            text(data, "value", 200),
            text(data, "note", 2000),
            who(data),
        )
        return segment_reply(iid, seg_id, tag={"id": tid, "status": "accepted"})

    @app.post("/api/i/<int:iid>/word")
    def word_fix(iid: int):
        data = body()
        seg_id = as_int(data.get("segment_id"), "segment_id")
        ws().fix_word(
            iid,
            seg_id,
            as_int(data.get("start_char"), "start_char"),
            as_int(data.get("end_char"), "end_char"),
            text(data, "new", 500) or "",
            who(data),
        )
        return segment_reply(iid, seg_id)

    @app.post("/api/i/<int:iid>/speaker")
    def speaker(iid: int):
        data = body()
        s = ws().rename_speaker(
            iid, text(data, "speaker", 100) or "", text(data, "label", 100) or "", who(data)
        )
        return jsonify(speaker=s.id, label=s.label)

    @app.post("/api/scan")
    def rescan():
        r = ws().scan()
        return jsonify(
            added=r.added,
            updated=r.updated,
            missing=r.missing,
            errors=r.errors,
            orphans=len(r.orphans),
        )

    return app


#: largest id or offset accepted from a request (SQLite integers are 64-bit signed)
MAX_ID = 2**31 - 1


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object, or HTTP 400: also for nesting deep enough to exhaust
    the parser's recursion limit (which used to surface as a 500)."""
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        abort(400, "expected a JSON object")
    if not isinstance(data, dict):
        abort(400, "expected a JSON object")
    return data


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


def _interview_parts(view: InterviewView) -> dict[str, Any]:
    by_seg = view.tags_by_segment()
    turns: list[dict[str, Any]] = []
    for seg in view.segments:
        if not turns or turns[-1]["speaker"] != seg.speaker:
            turns.append({"speaker": seg.speaker, "start": seg.start, "segments": []})
        turns[-1]["segments"].append(seg)
    decided = sum(1 for t in view.tags if t.status != "pending")
    return {
        "by_seg": by_seg,
        "turns": turns,
        "curve": emotion_curve(view),
        "decided": decided,
        "counts": {
            lab: sum(1 for t in view.tags if t.label == lab and t.visible) for lab in LABELS
        },
    }


def study_summary(w: Workspace, items: list) -> dict[str, Any]:
    """What the whole study looks like: counts, hours, review progress, and per checklist
    item how many interviews talked about it (the gaps a researcher plans the next ones by)."""
    import json

    names: dict[str, tuple[str, str]] = {}
    for row in w.conn.execute("SELECT coverage FROM interviews WHERE present = 1"):
        for ci in json.loads(row["coverage"]):
            names.setdefault(ci["item"], (ci["label"], ci["kind"]))
    annotated = [i for i in items if i.checklist]
    coverage = [
        {
            "item": item,
            "label": label,
            "kind": kind,
            "interviews": sum(1 for i in annotated if item in i.covered_items),
        }
        for item, (label, kind) in names.items()
    ]
    coverage.sort(key=lambda c: (c["interviews"], c["label"]))
    return {
        "interviews": len(items),
        "hours": sum(i.duration or 0 for i in items) / 3600,
        "tags": sum(i.n_tags for i in items),
        "decided": sum(i.n_decided for i in items),
        "reviewed": sum(1 for i in items if i.status == "reviewed"),
        "annotated": len(annotated),
        "languages": sorted({i.language or "?" for i in items}),
        "statuses": sorted({i.status for i in items}),
        "coverage": coverage,
    }


def _slug(text: str) -> str:
    """A file-name-safe version of a name or label (download names)."""
    return re.sub(r"[^\w.-]+", "_", text).strip("._")[:80] or "clip"


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
    ready=None,
) -> None:
    """Run the app until Ctrl-C; ``port=0`` picks a free port; ``host=None`` a random
    loopback address (127.0.0.1 if the system refuses it). ``ready(url)`` is called once
    the server listens (the CLI prints the URL)."""
    import logging

    from werkzeug.serving import make_server

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
