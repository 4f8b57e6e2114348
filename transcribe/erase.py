"""Erasure of transcripts (registered with :mod:`journeytape.erasure`).

A transcript belongs to a withdrawn session when its ``recording`` block names the session's
audio sha256, or a path inside the session folder. The transcript goes with every readable
format written beside it (txt, md, srt, vtt, rttm); the subject learns the transcript's sha256
and output name so annotations, reports and the review workspace can be found next.
"""

from __future__ import annotations

from pathlib import Path

from journeytape.erasure import Erasure, Subject, read_json, register, walk_files
from journeytape.files import sha256_file
from journeytape.transcribe.transcript import SUFFIX
from journeytape.transcribe.writers import FORMATS, output_paths


@register("transcripts")
def erase_transcripts(subject: Subject, folder: Path, erasure: Erasure) -> None:
    for tj in walk_files(folder):
        if not tj.name.endswith(SUFFIX):
            continue
        d = read_json(tj)
        rec = d.get("recording") if isinstance(d, dict) else None
        if not isinstance(rec, dict) or not subject.recording_matches(rec):
            continue
        subject.transcript_sha256.add(sha256_file(tj))
        subject.transcript_paths.add(tj.resolve())
        base = tj.with_name(tj.name[: -len(SUFFIX)])
        subject.names.add(base.name)
        for p in output_paths(base, FORMATS).values():
            erasure.remove(p, folder, subject)
