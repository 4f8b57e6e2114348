"""`journeytape speakers`: fix who is who in a finished transcript, without re-running models.

Diarization is sometimes wrong: a speaker split in two, or the roles swapped. These commands
rewrite the transcript JSON and its sibling outputs (txt, md, srt, vtt, rttm) atomically, so
everything downstream keeps agreeing. Renames to "Interviewer"/"Respondent" set the role too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from journeytape.transcribe.transcript import SUFFIX, Speaker, Transcript

ROLE_NAMES = {"interviewer": "interviewer", "respondent": "respondent"}


class SpeakerEditError(ValueError):
    """A rename/merge that cannot be applied; the message says why and what exists."""


def _find(t: Transcript, name: str) -> Speaker:
    """A speaker by id (SPEAKER_01) or by current label (Respondent), case-insensitive."""
    for s in t.speakers:
        if s.id == name:
            return s
    matches = [s for s in t.speakers if s.label.casefold() == name.casefold()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{s.id} ({s.label})" for s in t.speakers) or "none"
    if matches:
        raise SpeakerEditError(f"{name!r} names several speakers; use an id: {known}")
    raise SpeakerEditError(f"no speaker {name!r} in this transcript; speakers: {known}")


def rename(t: Transcript, renames: dict[str, str]) -> Transcript:
    """Give speakers new labels. A label "Interviewer"/"Respondent" also sets the role (and
    takes that role away from whoever had it)."""
    targets = {_find(t, old).id: new.strip() for old, new in renames.items()}
    for new in targets.values():
        if not new:
            raise SpeakerEditError("a new speaker name cannot be empty")
    speakers = []
    new_roles = {ROLE_NAMES.get(v.casefold()) for v in targets.values()} - {None}
    for s in t.speakers:
        if s.id in targets:
            label = targets[s.id]
            role = ROLE_NAMES.get(label.casefold(), s.role if s.role not in new_roles else None)
            speakers.append(
                replace(s, label=label, role=role, role_source="user", role_confidence=1.0)
            )
        elif s.role in new_roles:  # the role moved to someone else
            speakers.append(
                replace(
                    s,
                    role=None,
                    label=s.id if s.label.casefold() == s.role else s.label,
                    role_source="user",
                    role_confidence=1.0,
                )  # fmt: skip
            )
        else:
            speakers.append(s)
    labels = [s.label.casefold() for s in speakers]
    dup = {x for x in labels if labels.count(x) > 1}
    if dup:
        raise SpeakerEditError(
            f"two speakers would both be called {sorted(dup)[0]!r}; to make them one speaker "
            "use `journeytape speakers merge`"
        )
    return replace(t, speakers=speakers)


def merge(t: Transcript, sources: list[str], target: str) -> Transcript:
    """Make ``sources`` the same person as ``target``: words, segments and talk time move to
    ``target``; consecutive segments of one speaker stay separate segments (ids unchanged)."""
    dst = _find(t, target)
    src_ids = {_find(t, s).id for s in sources}
    if dst.id in src_ids:
        raise SpeakerEditError(f"cannot merge {dst.id} into itself")
    segments = []
    for seg in t.segments:
        words = [replace(w, speaker=dst.id) if w.speaker in src_ids else w for w in seg.words]
        spk = dst.id if seg.speaker in src_ids else seg.speaker
        segments.append(replace(seg, speaker=spk, words=words))
    turns = _join_turns([replace(u, speaker=dst.id) if u.speaker in src_ids else u
                         for u in t.turns])  # fmt: skip
    moved = sum(s.talk_time for s in t.speakers if s.id in src_ids)
    speakers = [
        replace(s, talk_time=round(s.talk_time + moved, 3)) if s.id == dst.id else s
        for s in t.speakers
        if s.id not in src_ids
    ]
    models = dict(t.models)
    if isinstance(models.get("diarization"), dict):
        diar = dict(models["diarization"])
        diar["merged_by_user"] = {
            **diar.get("merged_by_user", {}),
            **dict.fromkeys(src_ids, dst.id),
        }
        models["diarization"] = diar
    return replace(t, segments=segments, speakers=speakers, models=models, turns=turns)


def _join_turns(turns: list) -> list:
    """One speaker's overlapping turns (after a merge) become one turn."""
    out: list = []
    last: dict[str, int] = {}
    for u in sorted(turns, key=lambda u: (u.start, u.end)):
        i = last.get(u.speaker)
        if i is not None and u.start <= out[i].end:
            out[i] = replace(out[i], end=max(out[i].end, u.end))
            continue
        last[u.speaker] = len(out)
        out.append(u)
    return out


def base_of(path: Path) -> Path:
    name = path.name
    if not name.endswith(SUFFIX):
        raise SpeakerEditError(f"{path} is not a transcript (expected a name ending in {SUFFIX})")
    return path.with_name(name[: -len(SUFFIX)])


def write_back(t: Transcript, path: Path) -> list[Path]:
    """Rewrite the transcript and whichever sibling formats exist beside it."""
    from journeytape.transcribe.writers import FORMATS, output_paths, write_outputs

    base = base_of(path)
    existing = [f for f, p in output_paths(base, FORMATS).items() if p.exists() and f != "json"]
    return write_outputs(t, base, [*existing, "json"])


def _load(path: Path) -> Transcript:
    from journeytape.transcribe.transcript import TranscriptError, load_transcript

    try:
        return load_transcript(path)
    except (OSError, TranscriptError) as exc:
        raise SpeakerEditError(str(exc)) from None


def _table(t: Transcript) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "label", "role", "decided by", "confidence", "talk time")
    for s in t.speakers:
        conf = f"{s.role_confidence:.2f}" if s.role_confidence is not None else "-"
        mins, secs = divmod(int(round(s.talk_time)), 60)
        table.add_row(
            s.id, s.label, s.role or "-", s.role_source or "-", conf, f"{mins}:{secs:02d}"
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add `journeytape speakers list|rename|merge`."""
    sp = typer.Typer(
        help=(
            "Show, rename or merge the speakers of a transcript without re-running anything. "
            "Rewrites the .transcript.json and its .txt/.md/.srt/.vtt/.rttm siblings atomically."
        ),
        no_args_is_help=True,
    )
    app.add_typer(sp, name="speakers")

    def fail(exc: Exception) -> None:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)

    @sp.command("list")
    def list_cmd(
        transcript: Path = typer.Argument(..., help="A <name>.transcript.json file."),
    ) -> None:
        """List speakers: id, label, role, how the role was decided, talk time."""
        try:
            _table(_load(transcript))
        except SpeakerEditError as exc:
            fail(exc)

    @sp.command("rename")
    def rename_cmd(
        transcript: Path = typer.Argument(..., help="A <name>.transcript.json file."),
        renames: list[str] = typer.Argument(
            ...,
            metavar="SPEAKER=NAME...",
            help="e.g. SPEAKER_01=Respondent or Interviewer=Anna (id or current label).",
        ),
    ) -> None:
        """Rename speakers (by id or current label).

        Example: journeytape speakers rename rec.transcript.json SPEAKER_01=Respondent

        Naming someone Interviewer or Respondent also gives them that role.
        """
        pairs: dict[str, str] = {}
        for r in renames:
            old, sep, new = r.partition("=")
            if not sep or not old.strip():
                fail(SpeakerEditError(f"{r!r}: write OLD=NEW, e.g. SPEAKER_01=Respondent"))
            pairs[old.strip()] = new
        try:
            t = rename(_load(transcript), pairs)
            written = write_back(t, transcript)
        except SpeakerEditError as exc:
            fail(exc)
        _table(t)
        typer.echo(f"rewrote {len(written)} file(s) beside {base_of(transcript)}")

    @sp.command("merge")
    def merge_cmd(
        transcript: Path = typer.Argument(..., help="A <name>.transcript.json file."),
        speakers: list[str] = typer.Argument(
            ..., metavar="SOURCE... TARGET", help="Speakers to merge, the last one is kept."
        ),
    ) -> None:
        """Merge speakers that are really one person (the last one named is kept).

        Example: journeytape speakers merge rec.transcript.json SPEAKER_02 SPEAKER_00
        """
        if len(speakers) < 2:
            fail(SpeakerEditError("name at least two speakers: SOURCE... TARGET"))
        try:
            t = merge(_load(transcript), speakers[:-1], speakers[-1])
            written = write_back(t, transcript)
        except SpeakerEditError as exc:
            fail(exc)
        _table(t)
        typer.echo(f"rewrote {len(written)} file(s) beside {base_of(transcript)}")
