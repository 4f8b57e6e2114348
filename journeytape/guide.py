"""The interview guide: the journey, the questions and the checklist of channels and touchpoints.

A researcher writes it before the interviews (or copies ``journeytape guide example``) in YAML.
The annotator tags every checklist item it hears; the recorder shows the consent text from it.
Every error names the file and line, because researchers edit these files by hand.

Format (documented in docs/guide.md, example in ``data/guides/service-desk.yaml``)::

    format: 1                       # optional, guide format version
    journey: Getting IT help at work
    languages: [en, nl, de]
    consent: {purpose: ..., uses: ..., not_used_for: ..., audience: ..., retention: ...}
    scenarios: [{id: broken_laptop, label: {en: ..., nl: ...}}]      # optional
    questions: [{id: q1, text: {en: ..., nl: ...}, about: [email], scenario: broken_laptop}]
    checklist:
      - id: email
        kind: channel               # channel | touchpoint
        label: {en: Email, nl: E-mail, de: E-Mail}
        synonyms: {en: [email, mail], nl: [mail, mailtje], de: [Mail]}
        patterns: {en: [[{LEMMA: walk}, {LOWER: over}]]}              # optional spaCy patterns
    stages:                         # optional: named stages of the journey map
      - id: reporting
        label: {en: Asking for help, nl: Hulp vragen}
        items: [ticket_logged]      # touchpoint ids; a touchpoint is in one stage at most

Any text may be one string (all languages) or a mapping ``language: text``; the consent fields
``uses`` and ``not_used_for`` may also be lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from journeytape import yamlcheck
from journeytape.files import sha256_file
from journeytape.yamlcheck import LineError, Map, line_of, plain

FORMAT_VERSION = 1
KINDS = ("channel", "touchpoint")
CONSENT_FIELDS = ("purpose", "uses", "not_used_for", "audience", "retention")


class GuideError(ValueError):
    """A guide file that cannot be used; the message names the file and line."""


# -- data classes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Text in one or more languages; a language's value may be a list of lines."""

    by_lang: dict[str, str | tuple[str, ...]]

    def items(self, lang: str | None = None) -> list[str]:
        """The text for ``lang`` as a list (falls back to English, then the first language)."""
        value = self._pick(lang)
        if value is None:
            return []
        return list(value) if isinstance(value, tuple) else [value]

    def get(self, lang: str | None = None) -> str:
        """The text for ``lang`` as one string (list entries joined with newlines)."""
        return "\n".join(self.items(lang))

    def _pick(self, lang: str | None):
        for key in (lang, "*", "en"):
            if key in self.by_lang:
                return self.by_lang[key]
        return next(iter(self.by_lang.values()), None)

    @property
    def languages(self) -> list[str]:
        return [k for k in self.by_lang if k != "*"]

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Consent:
    """What the recorder reads out and stores with the consent record."""

    purpose: Text
    uses: Text
    not_used_for: Text
    audience: Text
    retention: Text

    def text(self, name: str, lang: str | None = None) -> str:
        return getattr(self, name).get(lang)


@dataclass
class ChecklistItem:
    id: str
    kind: str  # "channel" | "touchpoint"
    labels: Text
    #: language → phrases; "word*" matches words starting with it (compounds: "helpdesk*"),
    #: "*word" words ending with it ("*laptop" matches "Ersatzlaptop"), "=word" only that exact
    #: form (not its lemma)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    #: language → spaCy Matcher token patterns ("*" = every language)
    patterns: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)
    description: str = ""
    #: line in the guide file, for messages about this item
    line: int = 0

    def label(self, lang: str | None = None) -> str:
        return self.labels.get(lang) or self.id

    def synonyms_for(self, lang: str) -> list[str]:
        return list(self.synonyms.get(lang, [])) + list(self.synonyms.get("*", []))

    def patterns_for(self, lang: str) -> list[list[dict[str, Any]]]:
        return list(self.patterns.get(lang, [])) + list(self.patterns.get("*", []))


@dataclass
class Question:
    id: str
    text: Text
    about: list[str] = field(default_factory=list)  # checklist item ids
    scenario: str | None = None
    line: int = 0


@dataclass
class Scenario:
    id: str
    labels: Text

    def label(self, lang: str | None = None) -> str:
        return self.labels.get(lang) or self.id


@dataclass
class Stage:
    """A named stage of the journey (for the journey map): which touchpoints belong to it."""

    id: str
    labels: Text
    items: list[str]
    line: int = 0

    def label(self, lang: str | None = None) -> str:
        return self.labels.get(lang) or self.id


@dataclass
class Guide:
    journey: str
    languages: list[str]
    checklist: list[ChecklistItem]
    questions: list[Question] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    consent: Consent | None = None
    path: str | None = None
    sha256: str | None = None
    format: int = FORMAT_VERSION
    #: things that are allowed but probably a mistake (e.g. no Dutch synonyms for an item)
    warnings: list[str] = field(default_factory=list)
    #: named stages of the journey, in the guide's order (optional)
    stages: list[Stage] = field(default_factory=list)

    def hotwords(self, max_chars: int = 400) -> dict[str, str]:
        """Per language, the checklist's words for Whisper's ``hotwords`` prompt: the
        one-word synonyms and labels (wildcards and ``=`` marks removed), each once, longest
        first — long compounds and names ("selfserviceportaal", "Servicedesk") are what
        Whisper mishears; phrases of common words it hears anyway — up to ``max_chars``
        (Whisper keeps at most 223 prompt tokens)."""
        out: dict[str, str] = {}
        for lang in self.languages:
            words: dict[str, None] = {}
            seen: set[str] = set()
            for item in self.checklist:
                for w in (item.label(lang), *item.synonyms_for(lang)):
                    w = w.strip("*= ")
                    if w and " " not in w and len(w) >= 3 and w.lower() not in seen:
                        seen.add(w.lower())
                        words[w] = None
            text = ""
            for w in sorted(words, key=lambda w: (-len(w), w)):
                if len(text) + len(w) + 2 > max_chars:
                    continue
                text = f"{text}, {w}" if text else w
            out[lang] = text
        return out

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.checklist:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @property
    def channels(self) -> list[ChecklistItem]:
        return [it for it in self.checklist if it.kind == "channel"]

    @property
    def touchpoints(self) -> list[ChecklistItem]:
        return [it for it in self.checklist if it.kind == "touchpoint"]


# -- reading and checking -------------------------------------------------------------------
def _checked(text: str, source: str) -> Map:
    """The YAML, validated against ``data/guide.schema.json``; errors name ``source:line``."""
    try:
        data = yamlcheck.load(text)
        if data is None:
            raise LineError(1, "the guide is empty (see `journeytape guide example`)")
        yamlcheck.validate(data, yamlcheck.load_schema("journeytape", "guide.schema.json"))
    except LineError as exc:
        raise GuideError(f"{source}:{exc.line or '?'}: {exc.message}") from None
    return data


def _text(value: Any) -> Text:
    """A string for every language, or {lang: string} (lists of strings kept as lines)."""

    def one(v: Any) -> str | tuple[str, ...]:
        return tuple(str(x).strip() for x in v) if isinstance(v, list) else str(v).strip()

    if isinstance(value, dict):
        return Text({str(lang): one(v) for lang, v in value.items()})
    return Text({"*": one(value)})


class _Builder:
    """Builds a :class:`Guide` from schema-checked data and checks what a schema cannot:
    ids used twice and references between sections."""

    def __init__(self, data: Map, source: str) -> None:
        self.data = data
        self.source = source
        self.warnings: list[str] = []

    def fail(self, line: int, message: str) -> GuideError:
        return GuideError(f"{self.source}:{line}: {message}")

    def unique(self, seen: Iterable[str], value: str, line: int, what: str) -> str:
        if value in seen:
            raise self.fail(line, f"{what} {value!r} used twice")
        return value

    def languages(self) -> list[str]:
        raw = self.data["languages"]
        out: list[str] = []
        for i, lang in enumerate(raw):
            if lang in out:
                raise self.fail(line_of(raw, i), f"language {lang!r} listed twice")
            out.append(lang)
        return out

    def consent(self) -> Consent | None:
        cm = self.data.get("consent")
        return None if cm is None else Consent(**{k: _text(cm[k]) for k in CONSENT_FIELDS})

    def scenarios(self) -> list[Scenario]:
        out: list[Scenario] = []
        for sm in self.data.get("scenarios") or []:
            sid = self.unique([x.id for x in out], sm["id"], line_of(sm, "id"), "scenario id")
            out.append(Scenario(sid, _text(sm.get("label", sid))))
        return out

    def checklist(self, languages: list[str]) -> list[ChecklistItem]:
        raw = self.data["checklist"]
        out: list[ChecklistItem] = []
        for i, m in enumerate(raw):
            item = self.item(m, line_of(raw, i), languages)
            self.unique([x.id for x in out], item.id, item.line, "checklist id")
            out.append(item)
        return out

    def item(self, m: Map, line: int, languages: list[str]) -> ChecklistItem:
        item_id = m["id"]
        synonyms = {
            str(lang): self.synonyms(m["synonyms"], lang) for lang in m.get("synonyms") or {}
        }
        patterns = {str(lang): plain(ps) for lang, ps in (m.get("patterns") or {}).items()}
        for lang in languages:
            if not synonyms.get(lang) and not synonyms.get("*") and not patterns.get(lang):
                self.warnings.append(
                    f"line {line}: item {item_id!r} has no {lang} synonyms or patterns"
                )
        desc = m.get("description")
        return ChecklistItem(
            id=item_id,
            kind=m["kind"],
            labels=_text(m.get("label", item_id.replace("_", " "))),
            synonyms=synonyms,
            patterns=patterns,
            description=str(desc).strip() if desc else "",
            line=line,
        )

    def synonyms(self, by_lang: Map, lang: str) -> list[str]:
        words = by_lang[lang]
        if not isinstance(words, list):
            return [self.synonym(words, line_of(by_lang, lang))]
        return [self.synonym(w, line_of(words, j)) for j, w in enumerate(words)]

    def synonym(self, value: Any, line: int) -> str:
        """ "word*", "*word" and "=word" (see :class:`ChecklistItem`)."""
        word = str(value).strip()
        bare = word.removeprefix("=")
        if bare.strip("*") == "" or "*" in bare.strip("*") or " " in bare and "*" in bare:
            raise self.fail(line, f"synonym {word!r}: '*' only at the start or end of a word")
        if word.startswith("=") and "*" in word:
            raise self.fail(line, f"synonym {word!r}: use either '=' or '*', not both")
        return word

    def questions(self, ids: set[str], scenarios: set[str]) -> list[Question]:
        raw = self.data.get("questions") or []
        out = []
        for i, q in enumerate(raw):
            line = line_of(raw, i)
            if not isinstance(q, dict):  # a bare text is a question in every language
                out.append(Question(f"q{i + 1}", _text(q)))
                continue
            about = q.get("about") or []
            about = [about] if isinstance(about, str) else about
            for j, aid in enumerate(about):
                if aid not in ids:
                    aline = line_of(about, j, line_of(q, "about"))
                    raise self.fail(aline, f"question is about {aid!r}, not a checklist id")
            scenario = q.get("scenario")
            if scenario is not None and scenario not in scenarios:
                raise self.fail(line_of(q, "scenario"), f"unknown scenario {scenario!r}")
            qid = q.get("id", f"q{i + 1}")
            out.append(Question(qid, _text(q["text"]), [str(a) for a in about], scenario, line))
        return out

    def stages(self, checklist: list[ChecklistItem]) -> list[Stage]:
        touchpoints = {it.id for it in checklist if it.kind == "touchpoint"}
        raw = self.data.get("stages") or []
        out: list[Stage] = []
        owner: dict[str, str] = {}
        for i, sm in enumerate(raw):
            sid = self.unique([x.id for x in out], sm["id"], line_of(sm, "id"), "stage id")
            for j, iid in enumerate(sm["items"]):
                iline = line_of(sm["items"], j, line_of(sm, "items"))
                if iid not in touchpoints:
                    raise self.fail(
                        iline, f"stage {sid!r}: {iid!r} is not a touchpoint of the checklist"
                    )
                if iid in owner:
                    raise self.fail(iline, f"touchpoint {iid!r} is already in stage {owner[iid]!r}")
                owner[iid] = sid
            items = [str(x) for x in sm["items"]]
            out.append(Stage(sid, _text(sm.get("label", sid)), items, line_of(raw, i)))
        return out


def parse_guide(text: str, source: str = "<guide>") -> Guide:
    """Validate guide YAML text and build a :class:`Guide`; errors name ``source:line``."""
    b = _Builder(_checked(text, source), source)
    languages = b.languages()
    scenarios = b.scenarios()
    checklist = b.checklist(languages)
    return Guide(
        journey=str(b.data["journey"]).strip(),
        languages=languages,
        checklist=checklist,
        questions=b.questions({it.id for it in checklist}, {s.id for s in scenarios}),
        scenarios=scenarios,
        consent=b.consent(),
        path=None,
        format=FORMAT_VERSION,
        warnings=b.warnings,
        stages=b.stages(checklist),
    )


def load_guide(path: str | Path) -> Guide:
    """Read and validate a guide YAML file (raises :class:`GuideError` naming file:line)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise GuideError(f"{path}: guide file not found") from None
    except UnicodeDecodeError as exc:
        raise GuideError(f"{path}: not UTF-8 text ({exc.reason})") from None
    guide = parse_guide(text, str(path))
    guide.path = str(path.resolve())
    guide.sha256 = sha256_file(path)
    return guide


def example_guide_path() -> Path:
    """The shipped service-desk example guide (EN/NL/DE)."""
    return Path(str(files("journeytape").joinpath("data/guides/service-desk.yaml")))


def example_guide_text() -> str:
    return example_guide_path().read_text("utf-8")
