"""Helpers the text formats share: own-line comments, the schema pointer, and limits."""

from __future__ import annotations

import bisect
import functools
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import Loc
from ..schema import SpecModel
from ..schema.jsonschema import SCHEMA_URL
from .base import END_OF_FILE

__all__ = [
    'END_OF_FILE',
    'MAX_DEPTH',
    'SCHEMA_URL',
    'ModelData',
    'attach_comments',
    'comment_lines',
    'deeper_than',
    'number_too_long',
    'ordered_data',
    'too_deep',
    'trailing_lines',
]

#: How deep any spec may nest (keys and list items from the top), in every format. Specs
#: nest about 10 levels (a body schema a few more); readers and writers recurse about three
#: calls per level, so 200 keeps far from Python's recursion limit.
MAX_DEPTH = 200


def too_deep(what: str) -> str:
    """The message for ``what`` (``the YAML``, ``x-rbconfig``) nested beyond :data:`MAX_DEPTH`."""
    return f'{what} is nested more than {MAX_DEPTH} levels deep'


def deeper_than(data: Any, depth: int) -> bool:
    """Whether lists and mappings in ``data`` nest more than ``depth`` levels (no recursion)."""
    level = [data]
    while level and depth >= 0:
        level = [
            item
            for value in level
            if isinstance(value, dict | list)
            for item in (value.values() if isinstance(value, dict) else value)
        ]
        depth -= 1
    return bool(level)


def number_too_long(text: str) -> str | None:
    """Why the whole number written as ``text`` cannot be read: too many digits, or None.

    Python reads at most ``sys.get_int_max_str_digits()`` digits (4,300) into a
    number, because converting more takes time that grows with the square of
    their count; a reader that tried gave a traceback.
    """
    limit = sys.get_int_max_str_digits()
    digits = sum(map(str.isdigit, text)) if len(text) > limit else 0
    if not limit or digits <= limit:
        return None
    shown = text if len(text) <= 20 else f'{text[:8]}…{text[-8:]}'
    return f'the number {shown} has {digits:,} digits; at most {limit:,} are allowed'


def attach_comments(
    text: str,
    starts: dict[int, Loc],
    skip: set[int],
    header: str,
    split: Callable[[str], list[str]] | None = None,
) -> dict[Loc, list[str]]:
    """Give each block of own-line comments to the element on the next line.

    Comments after the last element go to :data:`END_OF_FILE`.

    Args:
        text: the whole text.
        starts: 1-based line number → the loc of the element written there.
        skip: 1-based line numbers inside multi-line values (not comments).
        header: a comment prefix that is not carried (the schema pointer).
        split: how the format splits lines, when it counts more than ``\n`` as a
            line break (YAML does); only used when such a break is in the text.

    Returns:
        loc → comment lines (without ``#`` and one following space).
    """
    if '#' not in text:
        return {}
    if split is not None and any(mark in text for mark in ('\r', '\x85', '\u2028', '\u2029')):
        return _attach_by_lines(split(text), starts, skip, header)
    comments: dict[Loc, list[str]] = {}
    lines = sorted(starts)
    line, offset = 1, 0
    for found in _COMMENT_LINE.finditer(text):
        line += text.count('\n', offset, found.start())
        offset = found.start()
        body = found.group(1)
        if line in skip or ('#' + body).startswith(header):
            continue
        after = bisect.bisect_right(lines, line)
        body = body.rstrip('\r')
        comments.setdefault(starts[lines[after]] if after < len(lines) else END_OF_FILE, []).append(
            body[1:] if body.startswith(' ') else body
        )
    return comments


def comment_lines(texts: Iterable[str], indent: str) -> list[str]:
    """Own-line comments as written back: ``# text``, a bare ``#`` for an empty one."""
    return [indent + (f'# {text}' if text else '#') for text in texts]


def trailing_lines(comments: dict[Loc, list[str]]) -> list[str]:
    """The comments after the last element (:data:`END_OF_FILE`), as written back."""
    return comment_lines(comments.get(END_OF_FILE, ()), '')


_COMMENT_LINE = re.compile(r'^[ \t]*#(.*)$', re.MULTILINE)


def _attach_by_lines(
    lines: list[str], starts: dict[int, Loc], skip: set[int], header: str
) -> dict[Loc, list[str]]:
    comments: dict[Loc, list[str]] = {}
    block: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number in skip:
            continue
        text = line.strip()
        if text.startswith('#'):
            if text.startswith(header):
                continue
            body = text[1:]
            block.append(body[1:] if body.startswith(' ') else body)
            continue
        if not text:
            continue
        if block:
            loc = starts.get(number)
            if loc is not None:
                comments.setdefault(loc, []).extend(block)
            block = []
    if block:  # nothing after them
        comments.setdefault(END_OF_FILE, []).extend(block)
    return comments


def _extension(key: str | int) -> bool:
    return isinstance(key, str) and key.startswith('x-')


class ModelData(dict[Any, Any]):
    """A model's data in :func:`ordered_data`: its keys' order is the model's layout.

    Other mappings (paths, events, an extension's value) keep the order they were
    written in, which a writer may not change; a model's keys it may (TOML writes its
    plain values before its tables).
    """

    __slots__ = ()


def ordered_data(model: SpecModel) -> dict[str, Any]:
    """``model`` as plain data, defaults left out, each mapping in its model's key order.

    Each model's mapping is a :class:`ModelData`.
    """
    return _order(model.to_data(), model)


def _order(data: Any, value: Any) -> Any:
    """``data`` (``value`` dumped) with each model's keys in order; the rest as it is."""
    if isinstance(value, SpecModel):
        if data.__class__ is not dict:
            return data
        model = type(value)
        names = _field_names(model)
        result = ModelData()
        for key in _ordered_keys(model, tuple(data)):
            item = data[key]
            if item.__class__ is dict or item.__class__ is list:
                item = _order(item, getattr(value, names[key]) if key in names else None)
            result[key] = item
        return result
    if not _holds_models(value) or len(value) != len(data):
        return data  # plain data (a status map, a list of methods, an example) stays as it is
    if isinstance(value, list) and isinstance(data, list):
        return [_order(item, child) for item, child in zip(data, value, strict=True)]
    if isinstance(value, dict) and isinstance(data, dict):
        return {
            key: _order(item, child)
            for (key, item), child in zip(data.items(), value.values(), strict=True)
        }
    return data


def _holds_models(value: Any) -> bool:
    """Whether a list or mapping of the model holds models (or containers that may)."""
    if isinstance(value, dict):
        value = next(iter(value.values()), None)
    elif isinstance(value, list):
        value = value[0] if value else None
    else:
        return False
    return isinstance(value, SpecModel | dict | list)


@functools.lru_cache(maxsize=1024)
def _ordered_keys(model: type[SpecModel], keys: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The model's ``key_order`` (those present), then the other keys, then ``x-`` keys.

    Cached: most models of a spec share their keys.
    """
    first = model.key_order
    present = set(keys)
    head = [key for key in first if key in present]
    rest = [key for key in keys if key not in first and not _extension(key)]
    tail = [key for key in keys if _extension(key) and key not in first]
    return (*head, *rest, *tail)


@functools.cache
def _field_names(model: type[SpecModel]) -> dict[str, str]:
    """A model's keys as written (aliases) → its field names."""
    return {field.alias or name: name for name, field in model.model_fields.items()}
