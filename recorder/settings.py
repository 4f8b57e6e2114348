"""The recorder's settings: one documented dataclass for everything `journeytape record` was
asked to do, built by :mod:`.cli` from its options and read by every later step (the way
faster-whisper documents its transcription options)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RecordSettings:
    """How to take consent and record one interview.

    Attributes:
      out: Folder that holds the session folders ``<date>_<pseudonym>/``.
      guide: Interview guide YAML (consent text, checklist), or None.
      pseudonym: The interviewee's pseudonym (names the folder; never a name); asked when None
        and interactive.
      lang: Language of the purpose text (en, nl, de); None: the guide's first, else en.
      consent: The interviewee's typed answer (e.g. "yes") when not asked interactively.
      spoken_consent: Also record the spoken "yes" as the first seconds of the audio.
      without_consent: Why the audio is captured without consent first (e.g. on paper).
      no_transcription: The interviewee did not agree to transcription.
      no_quotes: The interviewee did not agree to quotes in reports.
      retention: How long the audio is kept, when the guide has no consent block.
      interviewer: Who took consent.
      device: Input device index or (part of its) name; None: the system default.
      rate: Sample rate; None: the device's own.
      channels: Channels to record (mono is enough for speech).
      interactive: A terminal on stdin and stdout, and no ``--no-tui``: questions are asked.
      plain: No live screen (``--no-tui``, or not interactive): commands on stdin.
      duration: Stop after this many seconds of audio; None: when told to.
      live_coverage: With a guide, show which checklist items have come up in speech.
      live_model: Whisper model for live coverage; None: tiny.en for English, base otherwise.
      min_free: Stop cleanly when free disk space falls below this many bytes.
      warn_minutes: Warn when disk space for fewer minutes of audio is left.
    """

    out: Path = Path("sessions")
    guide: Path | None = None
    pseudonym: str | None = None
    lang: str | None = None
    consent: str | None = None
    spoken_consent: bool = False
    without_consent: str | None = None
    no_transcription: bool = False
    no_quotes: bool = False
    retention: str | None = None
    interviewer: str | None = None
    device: str | None = None
    rate: int | None = None
    channels: int = 1
    interactive: bool = False
    plain: bool = True
    duration: float | None = None
    live_coverage: bool = True
    live_model: str | None = None
    min_free: int = 50 * 2**20
    warn_minutes: float = 10.0
