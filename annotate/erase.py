"""Erasure of annotations, per-interview reports and the cross-interview summary
(registered with :mod:`journeytape.erasure`).

Annotations link to their transcript by its sha256 and to the recording by
``recording_sha256``; the reports beside them carry the same name. A summary that counted
the withdrawn interview is rebuilt from the annotations that remain in its folder (removed
when none remain): it must not keep the interview's row, nor its share of the counts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from journeytape.annotate.annotations import SUFFIX, AnnotationsError, load_annotations
from journeytape.erasure import Erasure, Subject, read_json, register, walk_files

REPORT_SUFFIXES = (".report.md", ".report.html")
SUMMARY_FILES = (
    "annotations-summary.md",
    "annotations-summary.csv",
    "annotations-summary-items.csv",
)


def _belongs(d: object, subject: Subject, path: Path) -> bool:
    if not isinstance(d, dict) or not isinstance(d.get("transcript"), dict):
        return False
    t = d["transcript"]
    if t.get("recording_sha256") in subject.audio_sha256:
        return True
    if t.get("sha256") in subject.transcript_sha256:
        return True
    tpath = t.get("path")
    return bool(tpath) and Path(tpath).resolve() in subject.transcript_paths


@register("annotations")
def erase_annotations(subject: Subject, folder: Path, erasure: Erasure) -> None:
    for p in walk_files(folder):
        if p.name.endswith(SUFFIX) and _belongs(read_json(p), subject, p):
            name = p.name[: -len(SUFFIX)]
            subject.names.add(name)
            erasure.remove(p, folder, subject)
            for suffix in REPORT_SUFFIXES:
                erasure.remove(p.with_name(name + suffix), folder, subject)
    # reports left behind by an earlier withdrawal that removed only the annotations (a
    # report whose annotations still exist belongs to whatever they are about)
    for p in walk_files(folder):
        for suffix in REPORT_SUFFIXES:
            name = p.name[: -len(suffix)]
            orphan = not p.with_name(name + SUFFIX).exists()
            if p.name.endswith(suffix) and name in subject.names and orphan:
                erasure.remove(p, folder, subject)


def summary_names(csv_path: Path) -> set[str]:
    try:
        rows = csv.DictReader(io.StringIO(csv_path.read_text("utf-8")))
        return {r.get("interview", "") for r in rows}
    except (OSError, csv.Error, UnicodeDecodeError):
        return set()


@register("summaries")
def regenerate_summaries(subject: Subject, folder: Path, erasure: Erasure) -> None:
    from journeytape.annotate.report import write_summary

    for md in walk_files(folder):
        if md.name != SUMMARY_FILES[0]:
            continue
        here = md.parent
        names = summary_names(here / SUMMARY_FILES[1])
        text = md.read_text("utf-8", errors="replace")
        if not (names & subject.names) and not any(f"| {n} |" in text for n in subject.names):
            continue
        remaining = []
        for a in sorted(here.rglob("*" + SUFFIX)):
            if any(part.startswith(".") for part in a.relative_to(here).parts[:-1]):
                continue
            try:
                remaining.append((a.name[: -len(SUFFIX)], load_annotations(a)))
            except (AnnotationsError, OSError, ValueError):
                continue
        if remaining:
            write_summary(remaining, here)
            erasure.note(
                folder,
                f"rebuilt {md.relative_to(folder).parent / 'annotations-summary.*'} without "
                f"the interview ({len(remaining)} remain)",
            )
        else:
            for n in SUMMARY_FILES:
                erasure.remove(here / n, folder, subject)
