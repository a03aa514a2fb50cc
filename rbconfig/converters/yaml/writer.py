"""Writing YAML by hand: block style, keys in each model's order, comments kept."""

from __future__ import annotations

import datetime
import functools
import math
import re
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from ...document import Comments
from ...errors import Loc
from ...schema import Spec
from .._text import comment_lines, ordered_data, trailing_lines
from . import SCHEMA_COMMENT
from .reader import STR_TAG, BaseLoader

__all__ = ['write_spec']


def write_spec(spec: Spec, comments: Comments, schema_url: str) -> str:
    """Render ``spec`` as block-style YAML, keys in each model's order."""
    writer = _Writer(comments)
    writer.lines.append(f'{SCHEMA_COMMENT} $schema={schema_url}')
    writer.comment((), 0)
    data = ordered_data(spec)
    for index, (key, value) in enumerate(data.items()):
        if index:
            writer.lines.append('')
        writer.entry(key, value, (key,), 0)
    writer.lines += trailing_lines(comments)
    return '\n'.join(writer.lines) + '\n'


_INDENT = 2
#: Longer keys are written as explicit '? key' entries (YAML's limit is 1024).
_LONGEST_KEY = 1000
_WIDTH = 100
_RESOLVER = yaml.resolver.Resolver()
_FLOW_CHARS = set(',[]{}')


# Both classes span all of Unicode: compiling them takes ~5 ms, so it is done on the first
# write, not at every start-up that only reads (``rbconfig validate``).
@functools.cache
def _plain_start() -> re.Pattern[str]:
    return re.compile(r'[A-Za-z0-9_$/(.~^=+<;\\\x80-\U0010ffff]')


@functools.cache
def _printable() -> re.Pattern[str]:
    """What YAML may hold unescaped."""
    return re.compile(
        '[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*'
    )


_LINE_BREAKS = ('\r', '\x85', '\u2028', '\u2029')


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or not _plain_start().match(text):
        return False
    if ': ' in text or ' #' in text or text.endswith(':') or '\t' in text:
        return False
    if flow and (_FLOW_CHARS.intersection(text) or ':' in text):
        return False  # PyYAML reads no ':' in a plain scalar inside {...} or [...]
    if not _printable().fullmatch(text) or '\n' in text:
        return False
    return _RESOLVER.resolve(ScalarNode, text, (True, False)) == STR_TAG


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append('\\' + char)
        elif char == '\n':
            out.append('\\n')
        elif char == '\t':
            out.append('\\t')
        elif _printable().fullmatch(char):
            out.append(char)
        elif code <= 0xFF:
            out.append(f'\\x{code:02X}')
        elif code <= 0xFFFF:
            out.append(f'\\u{code:04X}')
        else:
            out.append(f'\\U{code:08X}')
    return '"' + ''.join(out) + '"'


def _scalar(value: Any, flow: bool = False) -> str:
    """One value as a YAML scalar that reads back as the same value."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return '.nan'
        if math.isinf(value):
            return '.inf' if value > 0 else '-.inf'
        text = repr(value)
        if '.' not in text and 'e' in text:
            text = text.replace('e', '.0e', 1)
        return text
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if _plain_ok(text, flow):
        return text
    if '\n' not in text and _printable().fullmatch(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _literal_lines(text: str, indent: int) -> list[str] | None:
    """``text`` as a literal block (``|`` or ``|-``, with an indentation indicator when
    its first line starts with a space), or None when only quotes can say it.

    A block whose meaning hangs on white space at line ends is read back once and
    used only if it gives ``text`` again.
    """
    if '\n' not in text or not text.strip() or not _printable().fullmatch(text):
        return None
    if any(mark in text for mark in _LINE_BREAKS):
        return None
    if text.endswith('\n\n'):  # would need |+, which swallows the blank line after it
        return None
    body = text[:-1] if text.endswith('\n') else text
    chomp = '' if text.endswith('\n') else '-'
    lines = body.split('\n')
    first = next((line for line in lines if line.strip()), '')
    indicator = str(_INDENT) if first[:1] in (' ', '\t') else ''
    head = f'|{indicator}{chomp}'

    def block(pad: str) -> list[str]:
        return [head, *(pad + line if line else '' for line in lines)]

    if any(line != line.rstrip(' \t') for line in lines):
        # White space at a line end: keep the block only if it reads back the same.
        try:
            again = yaml.load('k: ' + '\n'.join(block(' ' * _INDENT)) + '\n', Loader=BaseLoader)
        except yaml.YAMLError:
            return None
        if again != {'k': text}:
            return None
    return block(' ' * indent)


class _Writer:
    def __init__(self, comments: Comments) -> None:
        self.lines: list[str] = []
        self.comments = comments
        #: (text, flow) → the text as a scalar: specs repeat their values (GET, json, 400).
        self.texts: dict[tuple[str, bool], str] = {}

    def scalar(self, value: Any, flow: bool = False) -> str:
        """:func:`_scalar`, worked out once per distinct text of this spec."""
        if value.__class__ is not str:
            return _scalar(value, flow)
        found = self.texts.get((value, flow))
        if found is None:
            found = self.texts[value, flow] = _scalar(value, flow)
        return found

    def comment(self, loc: Loc, indent: int) -> None:
        if loc in self.comments:
            self.lines += comment_lines(self.comments[loc], ' ' * indent)

    def entry(self, key: Any, value: Any, loc: Loc, indent: int, prefix: str = '') -> None:
        """``key: value`` at ``indent``; ``prefix`` replaces the indent ('- ' of an item)."""
        if not prefix:
            self.comment(loc, indent)
        key_text = self.scalar(key, flow=True)
        if len(key_text) > _LONGEST_KEY:  # YAML wants an explicit '? key' line
            self.lines.append((prefix or ' ' * indent) + '? ' + key_text)
            head = ' ' * indent + ':'
        else:
            head = (prefix or ' ' * indent) + key_text + ':'
        if value.__class__ is list and len(value) == 1 and _is_method(loc):
            self.lines.append(f'{head} {self.scalar(value[0])}')
            return
        self.value(head, value, loc, indent)

    def value(self, head: str, value: Any, loc: Loc, indent: int) -> None:
        inner = indent + _INDENT
        if isinstance(value, dict) and value:
            self.lines.append(head)
            self.mapping(value, loc, inner)
        elif isinstance(value, list) and value:
            commented = any((*loc, index) in self.comments for index in range(len(value)))
            flow = None if commented else self.flow_list(value)
            if flow is not None and len(head) + 1 + len(flow) <= _WIDTH:
                self.lines.append(f'{head} {flow}')
            else:
                self.lines.append(head)
                self.sequence(value, loc, inner)
        elif isinstance(value, dict | list):
            self.lines.append(f'{head} {{}}' if isinstance(value, dict) else f'{head} []')
        elif isinstance(value, str) and (block := _literal_lines(value, inner)) is not None:
            self.lines.append(f'{head} {block[0]}')
            self.lines.extend(block[1:])
        else:
            self.lines.append(f'{head} {self.scalar(value)}')

    def mapping(self, value: dict[Any, Any], loc: Loc, indent: int) -> None:
        spaced = loc in (('paths',), ('sockets',))
        for index, (key, item) in enumerate(value.items()):
            if spaced and index:
                self.lines.append('')
            self.entry(key, item, (*loc, key), indent)

    def sequence(self, value: list[Any], loc: Loc, indent: int) -> None:
        for index, item in enumerate(value):
            item_loc = (*loc, index)
            self.comment(item_loc, indent)
            flow = self.flow_mapping(item, item_loc) if isinstance(item, dict) else None
            if flow is not None and indent + 2 + len(flow) <= _WIDTH:
                self.lines.append(' ' * indent + '- ' + flow)
            elif isinstance(item, dict) and item:
                for position, (key, child) in enumerate(item.items()):
                    if position == 0:
                        self.comment((*item_loc, key), indent)
                        self.entry(key, child, (*item_loc, key), indent + 2, '- '.rjust(indent + 2))
                    else:
                        self.entry(key, child, (*item_loc, key), indent + 2)
            else:
                self.value(' ' * indent + '-', item, item_loc, indent)

    def flow_mapping(self, value: dict[Any, Any], loc: Loc) -> str | None:
        """``{is: json, return: 400}`` for a small mapping of one-line scalars (checks)."""
        if not value or len(value) > 4:
            return None
        for key, item in value.items():
            if isinstance(item, dict | list) or (*loc, key) in self.comments:
                return None
            if isinstance(item, str) and '\n' in item:
                return None
        items = [
            f'{self.scalar(k, flow=True)}: {self.scalar(v, flow=True)}' for k, v in value.items()
        ]
        if any(len(item) > _LONGEST_KEY for item in items):
            return None
        return '{' + ', '.join(items) + '}'

    def flow_list(self, value: list[Any]) -> str | None:
        if any(isinstance(item, dict | list) for item in value):
            return None
        if any(isinstance(item, str) and '\n' in item for item in value):
            return None
        return '[' + ', '.join(self.scalar(item, flow=True) for item in value) + ']'


def _is_method(loc: Loc) -> bool:
    """Whether ``loc`` is a path's methods (one method is written without brackets)."""
    return len(loc) == 3 and loc[0] == 'paths' and loc[2] == 'method'
