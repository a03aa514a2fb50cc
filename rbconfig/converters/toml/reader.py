"""Reading TOML: ``tomli`` parses, then a light scanner notes where each key was written.

TOML parsers keep no positions, so after the parser has accepted the text the
scanner walks it once more to note the line and column of every key, table
header and array item (for error messages and comments).
"""

from __future__ import annotations

import re

from ...document import Positions, Source
from ...errors import Loc, Problem, SpecError
from .._text import attach_comments
from . import SCHEMA_COMMENT

try:  # tomllib's own code, compiled with mypyc: the same data and messages, 2.4 x faster
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; the stdlib has the same parser
    import tomllib  # type: ignore[no-redef]

__all__ = ['read_source']

_ERROR_AT = re.compile(
    r'^(?P<message>.*?) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$'
)


def read_source(text: str, file: str) -> Source:
    """Parse TOML text into plain data with the line of every key it can find.

    Raises:
        SpecError: for TOML syntax errors, with their line and column.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as ex:
        raise SpecError([_syntax_problem(file, text, str(ex))]) from ex
    except RecursionError as ex:
        raise SpecError([Problem(file, None, None, '', 'the TOML is nested too deeply')]) from ex
    if not data:
        return Source(None, {(): (1, 1)})  # nothing but blanks and comments
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
    comments = attach_comments(text, scanner.starts, scanner.inside_values, SCHEMA_COMMENT)
    return Source(data, scanner.positions, comments)


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
_SPACE_AND_LINES = re.compile(r'(?:[ \t\r\n]++|#[^\n]*+)*+')
_SCALAR_END = re.compile(r'[^,\]}\n#]*')
_BARE_PART = re.compile(r'[ \t]*([A-Za-z0-9_-]+)[ \t]*')
_EQUALS = re.compile(r'[ \t]*=[ \t]*')
_BASIC_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
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
