"""Consent before capture: the purpose text read to the interviewee, consent.json, withdrawal.

The consent record keeps the *exact* text that was shown (and its sha256), so a later reader can
prove what the interviewee agreed to even if the guide file changes afterwards.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from journeytape.erasure import now_iso
from journeytape.files import atomic_write_json

CONSENT_FILE = "consent.json"
WITHDRAWAL_FILE = "withdrawal.json"
FORMAT = "journeytape-consent"
VERSION = 1

#: built-in purpose statement, used when the guide has no ``consent:`` block
DEFAULT_PURPOSE: dict[str, dict[str, str]] = {
    "en": {
        "purpose": "We are researching how people experience this service, to improve it.",
        "uses": "The recording is transcribed on this computer and analysed by the research "
        "team. Short anonymised quotes may appear in our reports.",
        "not_used_for": "It is not used to assess you personally, not used for marketing, "
        "and not shared outside the research team.",
        "audience": "Only the research team hears the recording.",
        "retention": "The recording is deleted at the end of the project, at the latest after "
        "{retention}. You can withdraw at any time and we delete it.",
    },
    "nl": {
        "purpose": "We onderzoeken hoe mensen deze dienst ervaren, om die te verbeteren.",
        "uses": "De opname wordt op deze computer uitgeschreven en door het onderzoeksteam "
        "geanalyseerd. Korte geanonimiseerde citaten kunnen in onze rapporten staan.",
        "not_used_for": "Ze wordt niet gebruikt om u persoonlijk te beoordelen, niet voor "
        "marketing, en niet gedeeld buiten het onderzoeksteam.",
        "audience": "Alleen het onderzoeksteam luistert de opname.",
        "retention": "De opname wordt aan het einde van het project verwijderd, uiterlijk na "
        "{retention}. U kunt op elk moment stoppen en dan verwijderen we haar.",
    },
    "de": {
        "purpose": "Wir untersuchen, wie Menschen diesen Service erleben, um ihn zu verbessern.",
        "uses": "Die Aufnahme wird auf diesem Computer transkribiert und vom Forschungsteam "
        "ausgewertet. Kurze anonymisierte Zitate können in unseren Berichten erscheinen.",
        "not_used_for": "Sie wird nicht zu Ihrer persönlichen Beurteilung, nicht für Marketing "
        "verwendet und nicht außerhalb des Forschungsteams geteilt.",
        "audience": "Nur das Forschungsteam hört die Aufnahme.",
        "retention": "Die Aufnahme wird am Projektende gelöscht, spätestens nach {retention}. "
        "Sie können jederzeit widerrufen, dann löschen wir sie.",
    },
}
HEADINGS = {
    "en": ("Why", "How it is used", "What it is not used for", "Who hears it", "How long"),
    "nl": ("Waarom", "Hoe we het gebruiken", "Waarvoor niet", "Wie het hoort", "Hoe lang"),
    "de": ("Warum", "Wie es verwendet wird", "Wofür nicht", "Wer es hört", "Wie lange"),
}
FIELDS = ("purpose", "uses", "not_used_for", "audience", "retention")
DEFAULT_RETENTION = {"en": "12 months", "nl": "12 maanden", "de": "12 Monaten"}


@dataclass
class PurposeText:
    text: str
    sha256: str
    source: str  # "built-in" or "guide:<path>"
    language: str


def purpose_text(guide: Any = None, lang: str = "en", retention: str | None = None) -> PurposeText:
    """The statement to read out: from ``guide.consent`` if present, else the built-in one."""
    lang = lang if lang in HEADINGS else "en"
    heads = HEADINGS[lang]
    consent = getattr(guide, "consent", None) if guide is not None else None
    parts: list[str] = []
    if consent is not None:
        for head, name in zip(heads, FIELDS, strict=True):
            lines = getattr(consent, name).items(lang)
            body = "\n".join(f"- {x}" for x in lines) if len(lines) > 1 else "".join(lines)
            parts.append(f"{head}: {body}")
        source = f"guide:{getattr(guide, 'path', None) or '?'}"
    else:
        texts = DEFAULT_PURPOSE[lang]
        ret = retention or DEFAULT_RETENTION[lang]
        for head, name in zip(heads, FIELDS, strict=True):
            parts.append(f"{head}: {texts[name].format(retention=ret)}")
        source = "built-in"
    journey = getattr(guide, "journey", None) if guide is not None else None
    if journey:
        parts.insert(0, f"{journey}")
    text = "\n".join(parts)
    return PurposeText(text, hashlib.sha256(text.encode("utf-8")).hexdigest(), source, lang)


@dataclass
class ConsentRecord:
    pseudonym: str
    purpose: PurposeText
    transcription: bool = True
    quotes_in_reports: bool = True
    retention: str = "12 months"
    #: "typed" and/or "spoken-in-recording"
    how: list[str] = field(default_factory=lambda: ["typed"])
    typed_confirmation: str | None = None
    recorded_by: str | None = None
    given_at: str = field(default_factory=now_iso)
    #: set when audio was captured without consent first (the reason is kept)
    without_consent_reason: str | None = None
    spoken: dict[str, Any] | None = None
    withdrawn: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        p = asdict(self.purpose)
        return {
            "format": FORMAT,
            "version": VERSION,
            "pseudonym": self.pseudonym,
            "given_at": None if self.without_consent_reason else self.given_at,
            "recorded_at": self.given_at,
            "consent_obtained": self.without_consent_reason is None,
            "without_consent_reason": self.without_consent_reason,
            "purpose": {
                "text": p["text"],
                "sha256": p["sha256"],
                "source": p["source"],
                "language": p["language"],
            },
            "scope": {
                "recording": self.without_consent_reason is None,
                "transcription": self.transcription,
                "quotes_in_reports": self.quotes_in_reports,
                "retention": self.retention,
            },
            "how": list(self.how),
            "typed_confirmation": self.typed_confirmation,
            "spoken": self.spoken,
            "recorded_by": self.recorded_by,
            "withdrawn": self.withdrawn,
        }

    def save(self, folder: Path) -> Path:
        return atomic_write_json(folder / CONSENT_FILE, self.to_json())


def load_consent(folder: str | os.PathLike[str]) -> dict[str, Any]:
    import json

    return json.loads((Path(folder) / CONSENT_FILE).read_text("utf-8"))


def allowed(folder: str | os.PathLike[str], use: str) -> bool | None:
    """Whether the session in ``folder`` may be used for ``use`` ("transcription",
    "quotes_in_reports"): for the later stages to check before they work on a recording.

    None when the folder has no consent.json (e.g. recordings copied from a phone); False
    after a withdrawal.
    """
    try:
        data = load_consent(folder)
    except FileNotFoundError:
        return None
    if data.get("withdrawn"):
        return False
    return bool((data.get("scope") or {}).get(use, False))


# -- withdrawal -------------------------------------------------------------------------------
# One owner: journeytape.erasure finds and erases everything every stage made from a session.
from journeytape.erasure import Withdrawal, withdraw  # noqa: E402

__all__ = ["Withdrawal", "withdraw"]
