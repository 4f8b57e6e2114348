"""The interview guide: the journey, the questions and the checklist of channels and touchpoints.

A researcher writes it before the interviews (or copies ``journeytape guide example``) in YAML.
The annotator tags every checklist item it hears; the recorder shows the consent text from it.
Every error names the file and line, because researchers edit these files by hand.

Format (documented in the README, example in ``data/guides/service-desk.yaml``)::

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

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from journeytape.files import sha256_file

FORMAT_VERSION = 1
KINDS = ("channel", "touchpoint")
CONSENT_FIELDS = ("purpose", "uses", "not_used_for", "audience", "retention")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_TOP_KEYS = {"format", "journey", "languages", "consent", "scenarios", "questions", "checklist"}
_TOP_KEYS |= {"stages"}  # optional named stages for the journey map
_ITEM_KEYS = {"id", "kind", "label", "synonyms", "patterns", "description"}
_QUESTION_KEYS = {"id", "text", "about", "scenario"}
_SCENARIO_KEYS = {"id", "label"}
_STAGE_KEYS = {"id", "label", "items"}


class GuideError(ValueError):
    """A guide file that cannot be used; the message names the file and line."""


# -- YAML with line numbers ---------------------------------------------------------------
class _Map(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class _Seq(list):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys (a silent overwrite would
    drop half of a checklist item without anyone noticing)."""


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    m = _Map()
    m.line = node.start_mark.line + 1
    m.key_lines = {}
    yield m
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise GuideError(f"line {line}: a key must be a plain word") from None
        if key in m:
            raise GuideError(
                f"line {line}: duplicate key {key!r} (first at line {m.key_lines[key]})"
            )
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    s = _Seq()
    s.line = node.start_mark.line + 1
    s.item_lines = []
    yield s
    for child in node.value:
        s.append(loader.construct_object(child, deep=True))
        s.item_lines.append(child.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str, source: str = "<guide>") -> Any:
    """YAML → Python values whose mappings/lists know their line numbers."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except GuideError as exc:
        raise GuideError(f"{source}:{str(exc).removeprefix('line ')}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        problem = exc.problem or exc.context or "invalid YAML"
        raise GuideError(f"{source}:{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise GuideError(f"{source}: invalid YAML: {exc}") from None


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


# -- validation -----------------------------------------------------------------------------
class _Check:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int, message: str) -> GuideError:
        return GuideError(f"{self.source}:{line}: {message}")

    @staticmethod
    def line_of(container: Any, key: Any, default: int = 0) -> int:
        if isinstance(container, _Map):
            return container.key_lines.get(key, container.line)
        if isinstance(container, _Seq) and isinstance(key, int) and key < len(container):
            return container.item_lines[key]
        return getattr(container, "line", default)

    def mapping(self, value: Any, line: int, what: str, allowed: set[str] | None = None) -> _Map:
        if not isinstance(value, dict):
            raise self.fail(line, f"{what} must be a mapping (key: value), got {_kind(value)}")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    hint = ", ".join(sorted(allowed))
                    raise self.fail(
                        self.line_of(value, key), f"unknown key {key!r} in {what} (known: {hint})"
                    )
        return value

    def seq(self, value: Any, line: int, what: str) -> _Seq:
        if not isinstance(value, list):
            raise self.fail(line, f"{what} must be a list, got {_kind(value)}")
        return value

    def string(self, value: Any, line: int, what: str) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise self.fail(line, f"{what} must be text, got {_kind(value)}")
        text = str(value).strip()
        if not text:
            raise self.fail(line, f"{what} is empty")
        return text

    def ident(self, value: Any, line: int, what: str) -> str:
        text = self.string(value, line, what)
        if not _ID.match(text):
            raise self.fail(
                line,
                f"{what} {text!r} must be lower-case letters, digits and _ "
                "(starting with a letter), e.g. service_desk",
            )
        return text

    def text(self, value: Any, line: int, what: str, langs: list[str], lists: bool = False) -> Text:
        """A string for every language, or {lang: string} (or lists of strings if allowed)."""
        if isinstance(value, dict):
            out: dict[str, str | tuple[str, ...]] = {}
            for lang, v in value.items():
                lline = self.line_of(value, lang, line)
                self.lang(lang, lline, f"language of {what}")
                out[str(lang)] = self._one_text(v, lline, f"{what} ({lang})", lists)
            if not out:
                raise self.fail(line, f"{what} is empty")
            return Text(out)
        return Text({"*": self._one_text(value, line, what, lists)})

    def _one_text(self, value: Any, line: int, what: str, lists: bool):
        if lists and isinstance(value, list):
            return tuple(
                self.string(v, self.line_of(value, i, line), what) for i, v in enumerate(value)
            )
        return self.string(value, line, what)

    def lang(self, value: Any, line: int, what: str) -> str:
        text = self.string(value, line, what)
        if text != "*" and not _LANG.match(text):
            raise self.fail(line, f"{what} {text!r} is not a language code such as en, nl, de")
        return text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "text" if isinstance(value, str) else type(value).__name__


def parse_guide(text: str, source: str = "<guide>") -> Guide:
    """Validate guide YAML text and build a :class:`Guide`; errors name ``source:line``."""
    c = _Check(source)
    data = parse_yaml(text, source)
    if data is None:
        raise c.fail(1, "the guide is empty (see `journeytape guide example`)")
    top = c.mapping(data, 1, "the guide", _TOP_KEYS)

    fmt = top.get("format", FORMAT_VERSION)
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt != FORMAT_VERSION:
        raise c.fail(
            c.line_of(top, "format"),
            f"guide format {fmt!r} is not supported (this journeytape reads format "
            f"{FORMAT_VERSION})",
        )
    for key in ("journey", "languages", "checklist"):
        if key not in top:
            raise c.fail(top.line, f"missing required key {key!r}")

    journey = c.string(top["journey"], c.line_of(top, "journey"), "journey")

    raw_langs = c.seq(top["languages"], c.line_of(top, "languages"), "languages")
    if not raw_langs:
        raise c.fail(c.line_of(top, "languages"), "languages is empty (e.g. [en, nl, de])")
    languages = []
    for i, v in enumerate(raw_langs):
        lang = c.lang(v, c.line_of(raw_langs, i), "language")
        if lang == "*":
            raise c.fail(c.line_of(raw_langs, i), "languages must name real languages")
        if lang in languages:
            raise c.fail(c.line_of(raw_langs, i), f"language {lang!r} listed twice")
        languages.append(lang)

    warnings: list[str] = []
    consent = None
    if top.get("consent") is not None:
        cm = c.mapping(top["consent"], c.line_of(top, "consent"), "consent", set(CONSENT_FIELDS))
        for key in CONSENT_FIELDS:
            if key not in cm:
                raise c.fail(cm.line, f"consent is missing {key!r} (needs {CONSENT_FIELDS})")
        consent = Consent(
            **{
                k: c.text(cm[k], c.line_of(cm, k), f"consent.{k}", languages, lists=True)
                for k in CONSENT_FIELDS
            }
        )

    scenarios: list[Scenario] = []
    if top.get("scenarios") is not None:
        raw = c.seq(top["scenarios"], c.line_of(top, "scenarios"), "scenarios")
        for i, s in enumerate(raw):
            line = c.line_of(raw, i)
            sm = c.mapping(s, line, "a scenario", _SCENARIO_KEYS)
            if "id" not in sm:
                raise c.fail(line, "scenario has no 'id'")
            sid = c.ident(sm["id"], c.line_of(sm, "id"), "scenario id")
            if any(x.id == sid for x in scenarios):
                raise c.fail(c.line_of(sm, "id"), f"scenario id {sid!r} used twice")
            labels = c.text(sm.get("label", sid), c.line_of(sm, "label", line), "label", languages)
            scenarios.append(Scenario(sid, labels))

    checklist: list[ChecklistItem] = []
    raw_items = c.seq(top["checklist"], c.line_of(top, "checklist"), "checklist")
    if not raw_items:
        raise c.fail(c.line_of(top, "checklist"), "checklist is empty")
    for i, raw_item in enumerate(raw_items):
        item = _parse_item(c, raw_item, c.line_of(raw_items, i), languages, warnings)
        if any(x.id == item.id for x in checklist):
            raise c.fail(item.line, f"checklist id {item.id!r} used twice")
        checklist.append(item)
    ids = {it.id for it in checklist}

    questions: list[Question] = []
    if top.get("questions") is not None:
        raw = c.seq(top["questions"], c.line_of(top, "questions"), "questions")
        for i, q in enumerate(raw):
            line = c.line_of(raw, i)
            if not isinstance(q, dict):  # a bare string is a question in every language
                questions.append(Question(f"q{i + 1}", c.text(q, line, "question", languages)))
                continue
            qm = c.mapping(q, line, "a question", _QUESTION_KEYS)
            if "text" not in qm:
                raise c.fail(line, "question has no 'text'")
            qid = c.ident(qm.get("id", f"q{i + 1}"), c.line_of(qm, "id", line), "question id")
            about = []
            if qm.get("about") is not None:
                raw_about = qm["about"]
                if isinstance(raw_about, str):
                    raw_about = [raw_about]
                for j, a in enumerate(c.seq(raw_about, c.line_of(qm, "about"), "about")):
                    aline = c.line_of(raw_about, j, c.line_of(qm, "about"))
                    aid = c.string(a, aline, "about")
                    if aid not in ids:
                        raise c.fail(aline, f"question is about {aid!r}, not a checklist id")
                    about.append(aid)
            scenario = None
            if qm.get("scenario") is not None:
                scenario = c.string(qm["scenario"], c.line_of(qm, "scenario"), "scenario")
                if scenario not in {s.id for s in scenarios}:
                    raise c.fail(c.line_of(qm, "scenario"), f"unknown scenario {scenario!r}")
            questions.append(
                Question(
                    qid,
                    c.text(qm["text"], c.line_of(qm, "text"), "question text", languages),
                    about,
                    scenario,
                    line,
                )
            )

    stages = _parse_stages(c, top, languages, checklist)

    return Guide(
        journey=journey,
        languages=languages,
        checklist=checklist,
        questions=questions,
        scenarios=scenarios,
        consent=consent,
        path=None,
        format=FORMAT_VERSION,
        warnings=warnings,
        stages=stages,
    )


def _parse_stages(
    c: _Check, top: _Map, languages: list[str], checklist: list[ChecklistItem]
) -> list[Stage]:
    if top.get("stages") is None:
        return []
    touchpoints = {it.id for it in checklist if it.kind == "touchpoint"}
    stages: list[Stage] = []
    owner: dict[str, str] = {}
    raw = c.seq(top["stages"], c.line_of(top, "stages"), "stages")
    for i, st in enumerate(raw):
        line = c.line_of(raw, i)
        sm = c.mapping(st, line, "a stage", _STAGE_KEYS)
        if "id" not in sm or "items" not in sm:
            raise c.fail(line, "a stage needs an 'id' and 'items' (touchpoint ids)")
        sid = c.ident(sm["id"], c.line_of(sm, "id"), "stage id")
        if any(x.id == sid for x in stages):
            raise c.fail(c.line_of(sm, "id"), f"stage id {sid!r} used twice")
        items_raw = c.seq(sm["items"], c.line_of(sm, "items"), "items")
        items = []
        for j, v in enumerate(items_raw):
            iline = c.line_of(items_raw, j, c.line_of(sm, "items"))
            iid = c.string(v, iline, "stage item")
            if iid not in touchpoints:
                raise c.fail(iline, f"stage {sid!r}: {iid!r} is not a touchpoint of the checklist")
            if iid in owner:
                raise c.fail(iline, f"touchpoint {iid!r} is already in stage {owner[iid]!r}")
            owner[iid] = sid
            items.append(iid)
        labels = c.text(sm.get("label", sid), c.line_of(sm, "label", line), "label", languages)
        stages.append(Stage(sid, labels, items, line))
    return stages


def _parse_item(
    c: _Check, raw: Any, line: int, languages: list[str], warnings: list[str]
) -> ChecklistItem:
    m = c.mapping(raw, line, "a checklist item", _ITEM_KEYS)
    for key in ("id", "kind"):
        if key not in m:
            raise c.fail(line, f"checklist item has no {key!r}")
    item_id = c.ident(m["id"], c.line_of(m, "id"), "checklist id")
    kind = c.string(m["kind"], c.line_of(m, "kind"), "kind")
    if kind not in KINDS:
        raise c.fail(c.line_of(m, "kind"), f"kind {kind!r} must be one of {', '.join(KINDS)}")
    labels = c.text(
        m.get("label", item_id.replace("_", " ")), c.line_of(m, "label", line), "label", languages
    )

    synonyms: dict[str, list[str]] = {}
    if m.get("synonyms") is not None:
        sm = c.mapping(m["synonyms"], c.line_of(m, "synonyms"), f"synonyms of {item_id}")
        for lang, words in sm.items():
            lline = c.line_of(sm, lang)
            c.lang(lang, lline, "language of synonyms")
            if isinstance(words, str):
                words = _Seq([words])
                words.line, words.item_lines = lline, [lline]
            ws = c.seq(words, lline, f"synonyms of {item_id} ({lang})")
            out = []
            for j, w in enumerate(ws):
                wline = c.line_of(ws, j, lline)
                word = c.string(w, wline, "synonym")
                bare = word.removeprefix("=")
                if bare.strip("*") == "" or "*" in bare.strip("*") or " " in bare and "*" in bare:
                    raise c.fail(wline, f"synonym {word!r}: '*' only at the start or end of a word")
                if word.startswith("=") and "*" in word:
                    raise c.fail(wline, f"synonym {word!r}: use either '=' or '*', not both")
                out.append(word)
            synonyms[str(lang)] = out

    patterns: dict[str, list[list[dict[str, Any]]]] = {}
    if m.get("patterns") is not None:
        pm = c.mapping(m["patterns"], c.line_of(m, "patterns"), f"patterns of {item_id}")
        for lang, plist in pm.items():
            lline = c.line_of(pm, lang)
            c.lang(lang, lline, "language of patterns")
            ps = c.seq(plist, lline, f"patterns of {item_id} ({lang})")
            out_p = []
            for j, p in enumerate(ps):
                pline = c.line_of(ps, j, lline)
                tokens = c.seq(p, pline, "a pattern (a list of token specs)")
                if not tokens:
                    raise c.fail(pline, "a pattern needs at least one token spec")
                for k, tok in enumerate(tokens):
                    c.mapping(tok, c.line_of(tokens, k, pline), "a token spec like {LOWER: desk}")
                out_p.append(_plain(tokens))
            patterns[str(lang)] = out_p

    for lang in languages:
        if not synonyms.get(lang) and not synonyms.get("*") and not patterns.get(lang):
            warnings.append(f"line {line}: item {item_id!r} has no {lang} synonyms or patterns")
    desc = m.get("description")
    return ChecklistItem(
        id=item_id,
        kind=kind,
        labels=labels,
        synonyms=synonyms,
        patterns=patterns,
        description=str(desc).strip() if desc else "",
        line=line,
    )


def _plain(value: Any) -> Any:
    """Drop the line-number wrappers (spaCy wants plain dicts and lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
