"""TOML specs: ``tomli`` (stdlib ``tomllib``, compiled) for reading, a small hand-written writer.

TOML parsers keep no positions, so after the parser has accepted the text a
light scanner walks it once more to note the line and column of every key,
table header and array item (for error messages and comments). TOML has no
null and only text keys: status codes are written as ``200 = "OK"`` and read
back as numbers by the model.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any, ClassVar

from ..errors import Loc, Problem, SpecError, format_loc
from ..schema import Spec
from ._text import SCHEMA_URL, attach_comments, comment_lines, ordered_data
from .base import Comments, Positions, Source, SpecFormat

try:  # tomllib's own code, compiled with mypyc: the same data and messages, 2.4 x faster
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; the stdlib has the same parser
    import tomllib  # type: ignore[no-redef]

__all__ = ['TomlFormat']

_SCHEMA_COMMENT = '#:schema'
_ERROR_AT = re.compile(
    r'^(?P<message>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$'
)


class TomlFormat(SpecFormat):
    """TOML, for those who prefer it to YAML."""

    name: ClassVar[str] = 'toml'
    extensions: ClassVar[tuple[str, ...]] = ('.toml',)

    #: The schema the ``#:schema`` line of written files points at.
    schema_url: str = SCHEMA_URL

    def read(self, text: str, file: str) -> Source:
        """Parse TOML text into plain data with the line of every key it can find.

        Raises:
            SpecError: for TOML syntax errors, with their line and column.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as ex:
            raise SpecError([_syntax_problem(file, text, str(ex))]) from ex
        except RecursionError as ex:
            raise SpecError(
                [Problem(file, None, None, '', 'the TOML is nested too deeply')]
            ) from ex
        scanner = _Scanner(text)
        try:
            scanner.document()
        except (
            IndexError,
            ValueError,
            RecursionError,
            tomllib.TOMLDecodeError,
        ):  # pragma: no cover
            pass  # positions are a help; the data is already valid
        scanner.positions.setdefault((), (1, 1))
        comments = attach_comments(text, scanner.starts, scanner.inside_values, _SCHEMA_COMMENT)
        return Source(data, scanner.positions, comments)

    def write(self, spec: Spec, comments: Comments | None = None) -> str:
        """Render ``spec`` as TOML: simple keys first, then one table per section.

        Raises:
            ValueError: when the spec holds a null (in an example or a schema),
                which TOML cannot say.
        """
        writer = _Writer(comments or {})
        writer.lines.append(f'{_SCHEMA_COMMENT} {self.schema_url}')
        writer.comment((), '')
        writer.table(ordered_data(spec), ())
        return '\n'.join(writer.lines) + '\n'


# --- reading ------------------------------------------------------------------------------


def _syntax_problem(file: str, text: str, error: str) -> Problem:
    found = _ERROR_AT.match(error)
    if found is None:
        return Problem(file, None, None, '', f'TOML syntax error: {error}')
    message = found['message']
    message = message[0].lower() + message[1:]
    if message.startswith('cannot overwrite a value') or message.startswith('cannot declare'):
        message += ' (a key or table is written twice)'
    elif message == "illegal character '\\n'":
        message += ' (a string is not closed on its line?)'

    if found['line']:
        line, column = int(found['line']), int(found['col'])
    else:
        lines = text.split('\n')
        line, column = len(lines), len(lines[-1]) + 1
    return Problem(file, line, column, '', f'TOML syntax error: {message}')


_BARE = re.compile(r'[A-Za-z0-9_-]+')
_SPACE_ONLY = re.compile(r'[ \t\r]*(#[^\n]*)?')
_SPACE_AND_LINES = re.compile(r'(?:[ \t\r\n]|#[^\n]*)*')
_SCALAR_END = re.compile(r'[^,\]}\n#]*')
_BARE_PART = re.compile(r'[ \t]*([A-Za-z0-9_-]+)[ \t]*')
_EQUALS = re.compile(r'[ \t]*=[ \t]*')
_BASIC_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_LITERAL_STRING = re.compile(r"'[^']*'")
_SPACE_STARTS = frozenset(' \t\r\n#')


class _Scanner:
    """Walks valid TOML text noting where each key, header and array item starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        #: line and line_start are counted up to ``counted`` (see :meth:`sync`).
        self.counted = 0
        self.line = 1
        self.line_start = 0
        self.positions: Positions = {}
        self.starts: dict[int, Loc] = {}
        self.inside_values: set[int] = set()
        self.arrays: dict[tuple[str, ...], int] = {}

    def place(self, loc: Loc, line: int, column: int, first: bool = False) -> None:
        """Note where ``loc`` is; ``first``: only if not known yet, and not as a line start."""
        if len(loc) >= 2 and loc[-2] == 'status' and isinstance(loc[-1], str):
            if loc[-1].isdigit():  # status codes: keep the number too, as the model has it
                self.positions[loc] = (line, column)
                loc = (*loc[:-1], int(loc[-1]))
        if first:
            self.positions.setdefault(loc, (line, column))
            return
        self.positions[loc] = (line, column)
        self.starts.setdefault(line, loc)

    def sync(self) -> None:
        """Count the lines up to the current place (only where a position is noted)."""
        if self.counted < self.i:
            breaks = self.text.count('\n', self.counted, self.i)
            if breaks:
                self.line += breaks
                self.line_start = self.text.rfind('\n', self.counted, self.i) + 1
            self.counted = self.i

    @property
    def here(self) -> tuple[int, int]:
        self.sync()
        return self.line, self.i - self.line_start + 1

    def peek(self, offset: int = 0) -> str:
        at = self.i + offset
        return self.text[at] if at < len(self.text) else ''

    def advance(self, count: int = 1) -> None:
        self.i += count

    def skip_space(self, newlines: bool = False) -> None:
        text, i = self.text, self.i
        if i < len(text) and text[i] not in _SPACE_STARTS:
            return
        found = (_SPACE_AND_LINES if newlines else _SPACE_ONLY).match(text, i)
        if found is not None:
            self.i = max(found.end(), i)

    def document(self) -> None:
        table: Loc = ()
        while self.i < len(self.text):
            self.skip_space(newlines=True)
            if self.i >= len(self.text):
                return
            if self.peek() == '[':
                table = self.header()
            else:
                self.pair(table)

    def header(self) -> Loc:
        line, column = self.here
        double = self.peek(1) == '['
        self.advance(2 if double else 1)
        keys = self.key()
        self.advance(2 if double else 1)
        loc: list[str | int] = []
        for index, key in enumerate(keys):
            loc.append(key)
            path = tuple(keys[: index + 1])
            last = index == len(keys) - 1
            if double and last:
                self.arrays[path] = self.arrays.get(path, -1) + 1
                self.place(tuple(loc), line, column, first=True)
                loc.append(self.arrays[path])
            elif path in self.arrays:
                loc.append(self.arrays[path])
            if last:
                self.starts.pop(line, None)
            self.place(tuple(loc), line, column, first=not last)
        return tuple(loc)

    def key(self) -> list[str]:
        keys = []
        text = self.text
        while True:
            found = _BARE_PART.match(text, self.i)
            if found is not None:  # the usual case: a bare key and the blanks around it
                keys.append(found.group(1))
                self.i = found.end()
            else:
                self.skip_space()
                char = self.peek()
                if char in ('"', "'"):
                    keys.append(self.string(decode=True))
                else:
                    found = _BARE.match(text, self.i)
                    if found is None:
                        raise ValueError('no key')
                    keys.append(found.group())
                    self.advance(len(found.group()))
                self.skip_space()
            if self.peek() != '.':
                return keys
            self.advance()

    def pair(self, table: Loc) -> None:
        line, column = self.here
        keys = self.key()
        for end in range(1, len(keys)):
            self.place((*table, *keys[:end]), line, column, first=True)
        loc = (*table, *keys)
        self.place(loc, line, column)
        found = _EQUALS.match(self.text, self.i)
        if found is not None:
            self.i = found.end()
        else:
            self.skip_space()
            self.advance()  # '='
            self.skip_space()
        self.value(loc)

    def value(self, loc: Loc) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == '[':
            self.array(loc)
        elif char == '{':
            self.inline_table(loc)
        else:
            found = _SCALAR_END.match(self.text, self.i)
            self.i = found.end() if found is not None else self.i

    def array(self, loc: Loc) -> None:
        self.advance()
        index = 0
        while True:
            self.skip_space(newlines=True)
            char = self.peek()
            if char == ']' or not char:
                self.advance()
                return
            if char == ',':
                self.advance()
                continue
            line, column = self.here
            self.place((*loc, index), line, column)
            self.value((*loc, index))
            index += 1

    def inline_table(self, loc: Loc) -> None:
        self.advance()
        while True:
            self.skip_space()
            char = self.peek()
            if char == '}' or not char:
                self.advance()
                return
            if char == ',':
                self.advance()
                continue
            self.pair(loc)

    def string(self, decode: bool = False) -> str:
        """Step over a string; ``decode``: return its value (keys need it)."""
        text, start = self.text, self.i
        quote = text[start]
        if text.startswith(quote * 3, start):
            self.sync()
            start_line = self.line
            end = text.find(quote * 3, start + 3)
            while text.startswith(quote, end + 3):
                end += 1
            end += 3
            self.i = end
            self.sync()
            if self.line > start_line:
                self.inside_values.update(range(start_line + 1, self.line + 1))
            return text[start:end]
        # One line: no line ends inside, nothing to count.
        found = (_BASIC_STRING if quote == '"' else _LITERAL_STRING).match(text, start)
        end = found.end() if found is not None else len(text)
        self.i = end
        raw = text[start:end]
        if not decode:
            return raw
        if quote == "'" or '\\' not in raw:
            return raw[1:-1]
        return tomllib.loads(f'k = {raw}')['k']


# --- writing ------------------------------------------------------------------------------

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


class _Writer:
    def __init__(self, comments: Comments) -> None:
        self.lines: list[str] = []
        self.comments = comments
        #: loc → the places with comments strictly inside it, in the comments' order.
        self.inside: dict[Loc, list[Loc]] = {}
        for where in comments:
            for end in range(len(where)):
                self.inside.setdefault(where[:end], []).append(where)

    def comment(self, loc: Loc, indent: str) -> None:
        self.lines += comment_lines(self.comments.get(loc, ()), indent)

    def inner_comments(self, loc: Loc, indent: str) -> None:
        """Comments of places inside a value written on one line go before it."""
        for where in self.inside.get(loc, ()):
            self.lines += comment_lines(self.comments[where], indent)

    def table(self, data: dict[Any, Any], loc: Loc) -> None:
        simple = [(key, value) for key, value in data.items() if _is_simple(value)]
        tables = [(key, value) for key, value in data.items() if not _is_simple(value)]
        for key, value in simple:
            self.pair(key, value, (*loc, key))
        for key, value in tables:
            child = (*loc, key)
            has_simple = any(_is_simple(item) for item in value.values())
            if has_simple or len(child) == 2 or child in self.comments:
                if self.lines and self.lines[-1] != '':
                    self.lines.append('')
                self.comment(child, '')
                self.lines.append('[' + '.'.join(_key(part) for part in child) + ']')
            self.table(value, child)

    def pair(self, key: Any, value: Any, loc: Loc) -> None:
        if loc in self.comments and self.lines and not self.lines[-1].startswith(('[', '#')):
            self.lines.append('')
        self.comment(loc, '')
        head = f'{_key(key)} ='
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
                f'{_key(key)} = {self.inline(item, (*loc, key))}' for key, item in value.items()
            )
            return '{ ' + items + ' }'
        if isinstance(value, list):
            return (
                '[' + ', '.join(self.inline(item, (*loc, i)) for i, item in enumerate(value)) + ']'
            )
        return _scalar(value, loc)
