"""YAML files that people edit by hand, checked against a JSON Schema with ``file:line`` errors.

Guides and rule files are written in an editor, so a mistake must point at its line. PyYAML's
nodes know where they start (``start_mark``); :func:`load` keeps that line on every mapping, key
and list item (and refuses duplicate keys, which would silently drop half an entry).
:func:`validate` runs ``jsonschema`` over the plain data and turns the first error (by line) into
``file:line: message``: the error's ``absolute_path`` is walked back through the loaded values to
the line of the key or item at fault.

Messages read like a person wrote them: a schema may give a subschema a ``title`` (what the
value is, e.g. "a token spec like {LOWER: desk}") and an ``x-message`` (a template for a failed
``pattern``/``const``/``required``/``minItems``, with ``{what}``, ``{value!r}`` and ``{key!r}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import yaml


class Map(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class Seq(list):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class LineError(ValueError):
    """A mistake at a line (the caller adds the file name)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and refuses duplicate keys."""


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    m = Map()
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
            raise LineError(line, "a key must be a plain word") from None
        if key in m:
            raise LineError(line, f"duplicate key {key!r} (first at line {m.key_lines[key]})")
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    s = Seq()
    s.line = node.start_mark.line + 1
    s.item_lines = []
    yield s
    for child in node.value:
        s.append(loader.construct_object(child, deep=True))
        s.item_lines.append(child.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def load(text: str) -> Any:
    """YAML → values whose mappings and lists know their lines; raises :class:`LineError`
    (``line 0``: no position known)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise LineError(mark.line + 1 if mark else 0, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise LineError(0, f"invalid YAML: {exc}") from None


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of ``container[key]`` (the key's line in a mapping, the item's in a list)."""
    if isinstance(container, Map):
        return container.key_lines.get(key, container.line)
    if isinstance(container, Seq) and isinstance(key, int) and key < len(container):
        return container.item_lines[key]
    return getattr(container, "line", default)


def line_at(data: Any, path: Iterable[Any]) -> int:
    """The line of the value at ``path`` (keys and indices from the top)."""
    line, node = getattr(data, "line", 1) or 1, data
    for key in path:
        line = line_of(node, key, line)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return line


def plain(value: Any) -> Any:
    """Drop the line-number wrappers (jsonschema and spaCy want plain dicts and lists)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def kind(value: Any) -> str:
    """How a value reads in a message: "a list", "true/false", "the number 2"."""
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


# -- JSON Schema ----------------------------------------------------------------------------
@cache
def load_schema(package: str, name: str) -> dict[str, Any]:
    """A schema shipped as package data (``data/<name>``)."""
    return json.loads(files(package).joinpath(f"data/{name}").read_text("utf-8"))


def validate(data: Any, schema: dict[str, Any]) -> None:
    """Raise :class:`LineError` for the first schema error in the file (the lowest line)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    found = [_explain(data, e) for e in validator.iter_errors(plain(data))]
    if found:
        line, message = min(found, key=lambda f: f[0])
        raise LineError(line, message)


_EXPECT = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}


def _what(error) -> str:
    """What the value is: its key ("kind", "synonyms"), or for a list item or the whole file
    the schema's ``title`` ("a token spec like {LOWER: desk}")."""
    path = list(error.absolute_path)
    if path and not isinstance(path[-1], int):
        return str(path[-1])
    title = error.schema.get("title") if isinstance(error.schema, dict) else None
    return str(title or "the file")


def _explain(data: Any, error) -> tuple[int, str]:
    """(line, message) of one jsonschema error."""
    if error.validator in ("anyOf", "oneOf"):
        # the branch of the value's own type says what is wrong inside it
        inner = [e for e in error.context if e.validator != "type"]
        if inner:
            return min((_explain(data, e) for e in inner), key=lambda f: f[0])
        expect = error.schema.get("x-expect", "another kind of value")
        message = f"{_what(error)} must be {expect}, got {kind(error.instance)}"
        return line_at(data, error.absolute_path), message
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    template = schema.get("x-message")
    what, value = _what(error), error.instance
    if "propertyNames" in error.schema_path:  # the key itself is wrong: point at the key
        container = _at(data, path)
        return line_of(container, value, line_at(data, path)), _format(
            template or "{what} {value!r} is not allowed", what, value
        )
    if error.validator == "additionalProperties":
        known = schema.get("properties", {})
        key = next(k for k in value if k not in known)
        hint = ", ".join(sorted(known))
        return line_at(data, [*path, key]), f"unknown key {key!r} in {what} (known: {hint})"
    if error.validator == "required":
        key = next(k for k in schema["required"] if k not in value)
        line = getattr(_at(data, path), "line", 0) or line_at(data, path)
        return line, _format(template or "missing required key {key!r}", what, value, key)
    if error.validator == "type":
        types = error.validator_value
        names = [types] if isinstance(types, str) else types
        expect = schema.get("x-expect") or " or ".join(_EXPECT.get(t, t) for t in names)
        message = f"{what} must be {expect}, got {kind(value)}"
        if isinstance(value, bool):
            message += " (YAML reads yes/no/on/off unquoted as true/false: quote the word)"
        return line_at(data, path), message
    if error.validator in ("minItems", "minProperties", "minLength"):
        return line_at(data, path), _format(template or "{what} is empty", what, value)
    if template:
        return line_at(data, path), _format(template, what, value)
    return line_at(data, path), f"{what}: {error.message}"


def _at(data: Any, path: Sequence[Any]) -> Any:
    node = data
    for key in path:
        node = node[key]
    return node


def _format(template: str, what: str, value: Any, key: Any = None) -> str:
    return template.format(what=what, value=value, key=key)
