"""Audio: the recording itself, waveform peaks, clips of a tag or selection, highlight reels.

Only recordings indexed in the workspace are served, looked up by interview id (no path
ever comes from a URL). Clips are quotes: none leave the app for an interviewee whose
consent excludes quotes. The audio work is in :mod:`journeytape.review.media` (pydub).
"""

from __future__ import annotations

import mimetypes

from flask import Blueprint, abort, jsonify, request, send_file

from journeytape.annotate.annotations import LABELS

from ..web import arg_int, download, quotes_ok, recording, slug, workspace

bp = Blueprint("media", __name__)

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


@bp.get("/audio/<int:iid>")
def audio(iid: int):
    path = recording(iid)
    mime = AUDIO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    resp = send_file(path, mimetype=mime or "application/octet-stream", conditional=True)
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


@bp.get("/peaks/<int:iid>")
def peaks(iid: int):
    from .. import media

    resp = jsonify(media.peaks(workspace().folder, recording(iid)))
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp


@bp.get("/clip/<int:iid>")
@bp.get("/clip/<int:iid>/<tag_id>")
def clip(iid: int, tag_id: str | None = None):
    """A tag (by id) or a selection (segment_id, start_char, end_char) as a WAV clip."""
    from .. import media

    audio = recording(iid)
    if not quotes_ok(iid):
        abort(403, "the interviewee did not consent to quotes: no audio clips")
    view = workspace().interview(iid)
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
    return download(data, f"{slug(view.name)}-{c.start:.1f}s-{slug(c.label)}.wav", "audio/wav")


@bp.get("/reel")
def reel():
    """A highlight reel: every tag of a label (and value), or every search hit, as one
    WAV with a cue sheet (zip)."""
    from .. import media

    q = request.args.get("q", "")[:200]
    label = request.args.get("label") or None
    if label is not None and label not in LABELS:
        abort(400, "unknown label")
    value = (request.args.get("value") or "")[:100] or None
    if not (q or label or value):
        abort(400, "give a label, a value or search words")
    w = workspace()
    items, views = [], {}
    for h in w.search(q, label=label, value=value, limit=media.MAX_REEL_CLIPS):
        audio = w.audio_path(h.interview_id)
        if audio is None or not audio.is_file() or not quotes_ok(h.interview_id):
            continue
        if h.interview_id not in views:
            views[h.interview_id] = w.interview(h.interview_id)
        v = views[h.interview_id]
        if label or value:
            items += [(audio, media.clip_of_tag(v, t)) for t in h.tags]
        else:
            seg = v.segment(h.segment_id)
            items.append((audio, media.clip_of_span(v, seg.id, 0, len(seg.original_text))))
    name = slug("reel-" + "-".join(x for x in (label, value, q) if x))
    data = media.reel_zip(items[: media.MAX_REEL_CLIPS], name)
    return download(data, f"{name}.zip", "application/zip")
