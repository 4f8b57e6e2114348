"""Downloads of every registered export format (``/export/<format>``): one file as itself,
several as a zip. The formats are the registry's (:mod:`journeytape.review.formats`)."""

from __future__ import annotations

from flask import Blueprint, abort, request

from .. import formats
from ..web import download, workspace

bp = Blueprint("exports", __name__)


@bp.get("/export/<fmt>")
def export(fmt: str):
    if fmt not in formats.REGISTRY:
        abort(404)
    opts = formats.Options(
        include_pending=request.args.get("pending", "1") != "0",
        include_audio=request.args.get("audio", "1") != "0",
    )
    w = workspace()
    names = request.args.getlist("interview") or None
    name, mime, data = formats.download(w, fmt, names, opts)
    return download(data, name, mime)
