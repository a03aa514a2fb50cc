"""Writing TOML by hand: simple keys first, then one table per section, comments kept.

TOML has no null and only text keys: status codes are written as ``200 = "OK"``
and read back as numbers by the model.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from ...document import Comments
from ...errors import Loc, format_loc
from ...schema import Spec
from .._text import ModelData, comment_lines, ordered_data, trailing_lines
from . import SCHEMA_COMMENT

__all__ = ['write_spec']


def write_spec(spec: Spec, comments: Comments, schema_url: str) -> str:
    """Render ``spec`` as TOML: simple keys first, then one table per section.

    Raises:
        ValueError: when the spec holds a null (in an example or a schema),
            which TOML cannot say.
    """
    writer = _Writer(comments)
    writer.lines.append(f'{SCHEMA_COMMENT} {schema_url}')
    writer.comment((), '')
    writer.table(ordered_data(spec), ())
    writer.lines += trailing_lines(comments)
    return '\n'.join(writer.lines) + '\n'


_BARE_KEY = re.compile(r'[A-Za-z0-9_-]+')
_ESCAPES = {
    '"': '\\"',
    '\\': '\\\\',
    '\b': '\\b',
    '\t': '\\t',
    '\n': '\\n',
    '\f': '\\f',
    '\r': '\\r',
}
#: Characters _string writes as escapes.
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f]')
_MULTILINE_OK = re.compile('[^\x00-\x08\x0b-\x1f\x7f]*')


def _string(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return '"' + text + '"'
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f'\\u{ord(char):04X}')
        else:
            out.append(char)
    return '"' + ''.join(out) + '"'


def _key(key: Any) -> str:
    text = str(key)
    return text if _BARE_KEY.fullmatch(text) else _string(text)


def _scalar(value: Any, loc: Loc) -> str:
    if value is None:
        raise ValueError(f'TOML cannot say null (at {format_loc(loc) or "the top"})')
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'nan'
        if math.isinf(value):
            return 'inf' if value > 0 else '-inf'
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return _string(str(value))


def _multiline(text: str) -> str | None:
    """A ``'''`` block for text of several lines, when it can say it exactly."""
    if '\n' not in text or '\r' in text or "''" in text or text.endswith("'"):
        return None
    if not _MULTILINE_OK.fullmatch(text):
        return None
    return "'''\n" + text + "'''"


def _is_simple(value: Any) -> bool:
    """Written as ``key = value`` (not as a table of its own)."""
    return not (isinstance(value, dict) and value)


def _split(data: dict[Any, Any]) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]:
    """The entries of a table written as ``key = value``, and those written as tables.

    TOML wants a table's plain values before its sub-tables. A model's keys may be
    laid out so; any other mapping (paths, events, an extension's value) keeps its
    order: an empty mapping after a table is written as an empty table of its own,
    and when any other plain value comes after a table, every entry is written as
    ``key = value`` (tables inline).
    """
    simple: list[tuple[Any, Any]] = []
    tables: list[tuple[Any, Any]] = []
    for pair in data.items():
        (simple if _is_simple(pair[1]) else tables).append(pair)
    if not tables or not simple or isinstance(data, ModelData):
        return simple, tables
    first = next(index for index, (_, value) in enumerate(data.items()) if not _is_simple(value))
    late = list(data.items())[first:]
    if all(isinstance(value, dict) for _, value in late):
        return list(data.items())[:first], late
    return list(data.items()), []


class _Writer:
    def __init__(self, comments: Comments) -> None:
        self.lines: list[str] = []
        self.comments = comments
        #: key → the key as written (bare or quoted): specs repeat their keys.
        self.keys: dict[str, str] = {}
        #: loc → the places with comments strictly inside it, in the comments' order.
        self.inside: dict[Loc, list[Loc]] = {}
        for where in comments:
            for end in range(len(where)):
                self.inside.setdefault(where[:end], []).append(where)

    def comment(self, loc: Loc, indent: str) -> None:
        if loc in self.comments:
            self.lines += comment_lines(self.comments[loc], indent)

    def key(self, key: Any) -> str:
        """:func:`_key`, worked out once per distinct text key of this spec."""
        if key.__class__ is not str:  # (True == 1: only text is looked up)
            return _key(key)
        found = self.keys.get(key)
        if found is None:
            found = self.keys[key] = _key(key)
        return found

    def inner_comments(self, loc: Loc, indent: str) -> None:
        """Comments of places inside a value written on one line go before it."""
        for where in self.inside.get(loc, ()):
            self.lines += comment_lines(self.comments[where], indent)

    def table(self, data: dict[Any, Any], loc: Loc) -> None:
        simple, tables = _split(data)
        for key, value in simple:
            self.pair(key, value, (*loc, key))
        for key, value in tables:
            child = (*loc, key)
            has_simple = not value or bool(_split(value)[0])
            if has_simple or len(child) == 2 or child in self.comments:
                if self.lines and self.lines[-1] != '':
                    self.lines.append('')
                self.comment(child, '')
                self.lines.append('[' + '.'.join(self.key(part) for part in child) + ']')
            self.table(value, child)

    def pair(self, key: Any, value: Any, loc: Loc) -> None:
        if loc in self.comments and self.lines and not self.lines[-1].startswith(('[', '#')):
            self.lines.append('')
        self.comment(loc, '')
        head = f'{self.key(key)} ='
        if len(loc) == 3 and loc[0] == 'paths' and loc[2] == 'method' and len(value) == 1:
            self.lines.append(f'{head} {_scalar(value[0], loc)}')
            return
        if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            self.lines.append(f'{head} [')
            for index, item in enumerate(value):
                self.comment((*loc, index), '  ')
                self.inner_comments((*loc, index), '  ')
                self.lines.append(f'  {self.inline(item, (*loc, index))},')
            self.lines.append(']')
            return
        if isinstance(value, str):
            block = _multiline(value)
            if block is not None:
                self.lines.append(f'{head} {block}')
                return
        self.inner_comments(loc, '')
        self.lines.append(f'{head} {self.inline(value, loc)}')

    def inline(self, value: Any, loc: Loc) -> str:
        if isinstance(value, dict):
            if not value:
                return '{}'
            items = ', '.join(
                f'{self.key(key)} = {self.inline(item, (*loc, key))}' for key, item in value.items()
            )
            return '{ ' + items + ' }'
        if isinstance(value, list):
            return (
                '[' + ', '.join(self.inline(item, (*loc, i)) for i, item in enumerate(value)) + ']'
            )
        return _scalar(value, loc)
