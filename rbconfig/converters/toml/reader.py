"""Reading TOML: ``tomli`` parses, then a light scanner notes where each key was written.

TOML parsers keep no positions, so after the parser has accepted the text the
scanner walks it once more to note the line and column of every key, table
header and array item (for error messages and comments).
"""

from __future__ import annotations

import re

# tomli is the standard library's tomllib compiled with mypyc (the same data, 2.4 x
# faster); from 2.1 its errors carry the line and column (lineno, colno) and the message.
import tomli

from ...document import Positions, Source
from ...errors import Loc, Problem, SpecError, format_loc
from .._text import MAX_DEPTH, attach_comments, number_too_long, too_deep
from . import SCHEMA_COMMENT

__all__ = ['read_source']

_TOO_DEEP = too_deep('the TOML')


def read_source(text: str, file: str) -> Source:
    """Parse TOML text into plain data with the line of every key it can find.

    Raises:
        SpecError: for TOML syntax errors, numbers too long to read and nesting
            deeper than MAX_DEPTH, each at its line and column.
    """
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as ex:
        raise SpecError([_syntax_problem(file, text, ex)]) from ex
    except (RecursionError, ValueError) as ex:
        # Nested beyond tomli's limits, or a number too long to read; the text before
        # that place is valid TOML, so the scanner finds it.
        raise SpecError([_found_problem(file, text)]) from ex
    if not data:
        return Source(None, {(): (1, 1)})  # nothing but blanks and comments
    scanner = _Scanner(text)
    try:
        scanner.document()
    except _Found as found:
        raise SpecError([Problem(file, found.line, found.column, '', found.message)]) from None
    except (IndexError, ValueError, RecursionError):  # pragma: no cover
        pass  # positions are a help; the data is already valid
    scanner.positions.setdefault((), (1, 1))
    comments = attach_comments(text, scanner.starts, scanner.inside_values, SCHEMA_COMMENT)
    return Source(data, scanner.positions, comments)


def _syntax_problem(file: str, text: str, ex: tomli.TOMLDecodeError) -> Problem:
    message = ex.msg[0].lower() + ex.msg[1:]
    if message.startswith(('cannot overwrite a value', 'cannot declare')):
        duplicate = _duplicate_problem(file, text, ex.pos)
        if duplicate is not None:
            return duplicate
        message += ' (a key or table is written twice)'
    elif message == "illegal character '\\n'":
        message += ' (a string is not closed on its line?)'
    return Problem(file, ex.lineno, ex.colno, '', f'TOML syntax error: {message}')


def _duplicate_problem(file: str, text: str, pos: int) -> Problem | None:
    """A key or table written twice, named, with where it was first written."""
    finder = _Duplicates(text, pos)
    try:
        finder.document()
    except (IndexError, ValueError, RecursionError, _Found):  # pragma: no cover
        return None
    if finder.last is None:  # pragma: no cover - tomli found a statement
        return None
    loc, line, column = finder.last
    for end in range(len(loc), 0, -1):
        first = finder.first.get(loc[:end])
        if first is not None and first != (line, column) and isinstance(loc[end - 1], str):
            return Problem(
                file,
                line,
                column,
                format_loc(loc[:end]),
                f'duplicate key {loc[end - 1]!r} (first written at line {first[0]}, column '
                f'{first[1]}); TOML keys and tables are written once',
            )
    return None  # pragma: no cover


def _found_problem(file: str, text: str) -> Problem:
    """Where the scanner finds what tomli gave up on: nesting or a number too long."""
    try:
        _Scanner(text).document()
    except _Found as found:
        return Problem(file, found.line, found.column, '', found.message)
    except (IndexError, ValueError, RecursionError):  # pragma: no cover
        pass
    message = 'a number is too long, or the tables nest too deeply'  # pragma: no cover
    return Problem(file, 1, 1, '', message)  # pragma: no cover


class _Found(Exception):  # noqa: N818 - not an error of the scanner: what it was sent to find
    """What stops the scanner: nesting deeper than MAX_DEPTH, or a number too long."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


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
        if len(keys) + double > MAX_DEPTH:
            raise _Found(line, column, _TOO_DEEP)
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

    def pair(self, table: Loc) -> Loc:
        line, column = self.here
        keys = self.key()
        if len(table) + len(keys) > MAX_DEPTH:
            raise _Found(line, column, _TOO_DEEP)
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
        return loc

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
            if found is not None:
                problem = number_too_long(found.group().strip())
                if problem is not None:
                    raise _Found(*self.here, problem)
                self.i = found.end()

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
            if len(loc) >= MAX_DEPTH:
                raise _Found(line, column, _TOO_DEEP)
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
        return tomli.loads(f'k = {raw}')['k']


class _Duplicates(_Scanner):
    """Walks the statements up to the one holding ``until``, noting where each loc came first."""

    def __init__(self, text: str, until: int) -> None:
        super().__init__(text)
        self.until = until
        #: Where each loc (and each table a key implies) was first written.
        self.first: Positions = {}
        #: The loc and position of the last statement walked.
        self.last: tuple[Loc, int, int] | None = None

    def place(self, loc: Loc, line: int, column: int, first: bool = False) -> None:
        self.first.setdefault(loc, (line, column))
        super().place(loc, line, column, first)

    def document(self) -> None:
        table: Loc = ()
        while self.i < len(self.text):
            self.skip_space(newlines=True)
            if self.i > self.until or self.i >= len(self.text):
                return
            line, column = self.here
            if self.peek() == '[':
                table = self.header()
                self.last = (table, line, column)
            else:
                self.last = (self.pair(table), line, column)
