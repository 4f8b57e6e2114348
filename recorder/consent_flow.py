"""Consent before any audio: the purpose text is shown to read out, the interviewee's answers are
asked (or taken from the options) and checked; nothing is saved when they do not agree.

The record itself (``consent.json``) is :class:`journeytape.consent.ConsentRecord`, written by
:mod:`.session_flow` into the new session folder before the microphone records anything.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from journeytape.recorder.messages import fail
from journeytape.recorder.settings import RecordSettings

if TYPE_CHECKING:
    from journeytape.consent import PurposeText

AFFIRMATIVE = {"yes", "y", "ja", "j", "jawohl", "oui", "si", "sí", "ok", "akkoord", "einverstanden"}


@dataclass(frozen=True)
class Consent:
    """What the consent step settled: the guide and language, the purpose text read out, and
    the interviewee's answers (``typed`` is None when recording without consent)."""

    guide: Any
    lang: str
    purpose: PurposeText
    retention: str
    pseudonym: str
    typed: str | None
    transcription: bool
    quotes_in_reports: bool


def take_consent(s: RecordSettings, console: Any) -> Consent:
    """Show the purpose text, ask or read the answers, and fail (exit 3) unless they agree
    or a reason to record without consent is given."""
    from rich.panel import Panel

    from journeytape.consent import purpose_text

    g = _load_guide(s.guide)
    lang = (s.lang or (g.languages[0] if g is not None else "en")).lower()
    if g is not None and g.consent is not None and s.retention:
        raise fail(
            "the guide's consent block already states the retention period that is read out; "
            "change it in the guide instead of passing --retention"
        )
    ret = s.retention or (g.consent.retention.get(lang) if g is not None and g.consent else None)
    purpose = purpose_text(g, lang, s.retention)
    console.print(Panel(purpose.text, title="Read this to the interviewee", expand=False))
    pseudonym, typed, no_transcription, no_quotes = _answers(s, console)
    pseudonym = _checked(pseudonym, typed, s.without_consent)
    return Consent(
        guide=g,
        lang=lang,
        purpose=purpose,
        retention=ret or default_retention(lang),
        pseudonym=pseudonym,
        typed=typed if s.without_consent is None else None,
        transcription=not no_transcription,
        quotes_in_reports=not no_quotes,
    )


def default_retention(lang: str) -> str:
    """The retention period read out when neither the guide nor --retention states one."""
    from journeytape.consent import DEFAULT_RETENTION

    return DEFAULT_RETENTION.get(lang, DEFAULT_RETENTION["en"])


def _load_guide(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        from journeytape.guide import load_guide
    except ImportError:
        raise fail("reading --guide needs journeytape.guide, which is missing") from None
    try:
        return load_guide(path)
    except Exception as exc:  # GuideError names file:line
        raise fail(str(exc)) from None


def _answers(s: RecordSettings, console: Any) -> tuple[str | None, str | None, bool, bool]:
    """(pseudonym, typed answer, no transcription, no quotes): asked when interactive."""
    answers = (s.pseudonym, s.consent, s.no_transcription, s.no_quotes)
    if not s.interactive:
        return answers
    # Ctrl-C must cancel here even when the recorder inherited an ignored SIGINT (started from
    # a background job or nohup): Python then never raises KeyboardInterrupt, and the prompt
    # would swallow ^C forever (seen in CI). The capture installs its own handlers later.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _ask(console, *answers, s.without_consent)
    except (KeyboardInterrupt, EOFError):
        console.print()
        raise fail(
            "cancelled at the consent questions: no consent was recorded and nothing was "
            "saved or recorded.",
            130,
        ) from None
    finally:
        signal.signal(signal.SIGINT, previous)


def _ask(console, pseudonym, consent, no_transcription, no_quotes, without_consent):
    """The interactive consent questions (Ctrl-C or end of input here cancels cleanly)."""
    from rich.prompt import Confirm, Prompt

    from journeytape.recorder.session import SessionError, check_pseudonym

    while pseudonym is None:
        try:
            pseudonym = check_pseudonym(Prompt.ask("Interviewee pseudonym (e.g. P07)"))
        except SessionError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
    if without_consent is None:
        no_transcription = no_transcription or not Confirm.ask(
            "Agrees to transcription (on this computer)?", default=True
        )
        no_quotes = no_quotes or not Confirm.ask(
            "Agrees to anonymised quotes in reports?", default=True
        )
        if consent is None:
            consent = Prompt.ask("Type the interviewee's answer: do you agree to be recorded?")
    return pseudonym, consent, no_transcription, no_quotes


def _checked(pseudonym: str | None, consent: str | None, without_consent: str | None) -> str:
    """The pseudonym, once the answers allow recording; else one line and exit 2 or 3."""
    from journeytape.recorder.session import SessionError, check_pseudonym

    if pseudonym is None:
        raise fail("--pseudonym is required (the interviewee's pseudonym, e.g. P07)")
    try:
        pseudonym = check_pseudonym(pseudonym)
    except SessionError as exc:
        raise fail(str(exc)) from None
    if without_consent is not None:
        if not without_consent.strip():
            raise fail("--without-consent needs a reason, e.g. 'consent form signed on paper'")
    elif consent is None:
        raise fail(
            "consent not recorded, so nothing was captured. Read the purpose text above to the "
            "interviewee; when they agree pass --consent yes (or run without --no-tui to be "
            "asked), or state why you record without it: --without-consent REASON.",
            code=3,
        )
    elif consent.strip().lower().rstrip(".!") not in AFFIRMATIVE:
        raise fail(
            f"the interviewee's answer was {consent!r}, not yes: nothing was recorded.", code=3
        )
    return pseudonym
