"""The tokens of RBR text: lark's basic lexer for ``rbr.lark``, run as one compiled pattern.

:class:`Scanner` is built from the grammar's terminal definitions as lark
publishes them (:attr:`lark.Lark.terminals`, their ``pattern`` and
``priority``) and orders and combines them as lark's basic lexer does: by
priority, then longest pattern, then name; keywords that a name-like terminal
also matches are found by looking the matched word up. It then runs that one
pattern with :meth:`re.Pattern.finditer` over the whole text, makes no token
for white space, and counts lines only where a line can end: the tokens (type,
text, start, line, column, end line, end column, end) equal lark's own
(``tests/converters/test_rbr_lexer.py`` compares them), at about twice the
speed of lark's loop, which matches one token at a time and feeds a line
counter with every token, white space included.

It never raises: where no terminal matches, it gives a token of type
:data:`UNEXPECTED` for the first character of the run it skips, and goes on
after it. The parser takes such a token as a syntax error there, which lets
one read report every independent mistake (``grammar.parse``). The same
pattern tells the RBR writer whether a value reads back as one token
(:meth:`Scanner.single`), in microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lark import Token
from lark.lexer import PatternRE, PatternStr, TerminalDef

__all__ = ['UNEXPECTED', 'Comment', 'Scanned', 'Scanner']

#: The type of the token standing for characters no terminal matches.
UNEXPECTED = '$UNEXPECTED'

#: The terminal whose tokens are comments: kept apart, not given to the parser.
_COMMENT = 'COMMENT'


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment: its text (without ``#``), where it starts, if alone on its line."""

    text: str
    line: int
    column: int
    own_line: bool
    start: int


@dataclass(frozen=True, slots=True)
class Scanned:
    """A text cut into tokens for the parser, and its comments."""

    tokens: list[Token]
    comments: list[Comment]


class Scanner:
    """Cuts text into the tokens lark's basic lexer would give for the same terminals.

    Args:
        terminals: the grammar's terminals (``lark.Lark(...).terminals``).
        ignore: the names of the ignored terminals (``%ignore``); a comment
            terminal among them is kept aside as :attr:`Scanned.comments`.

    Raises:
        ValueError: for a terminal with regular expression flags, which
            this scanner does not combine (rbr.lark has none).
    """

    def __init__(self, terminals: Iterable[TerminalDef], ignore: Iterable[str]) -> None:
        ordered = sorted(
            terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        if any(terminal.pattern.flags for terminal in ordered):
            raise ValueError('terminals with regular expression flags are not supported')
        #: Name-like terminal → {word: keyword terminal}: words it matches that are keywords.
        self.keywords: dict[str, dict[str, str]] = {}
        embedded = set()
        for named in (t for t in ordered if isinstance(t.pattern, PatternRE)):
            for word in ordered:
                value = word.pattern.value
                if not isinstance(word.pattern, PatternStr) or word.priority != named.priority:
                    continue
                found = re.match(named.pattern.to_regexp(), value)
                if found is not None and found.group() == value:
                    self.keywords.setdefault(named.name, {})[value] = word.name
                    embedded.add(word.name)
        self.pattern = re.compile(
            '|'.join(
                f'(?P<{t.name}>{t.pattern.to_regexp()})' for t in ordered if t.name not in embedded
            )
        )
        self.ignore = frozenset(ignore)
        #: Terminals whose text may hold a line end (lark's rule: '\n', '\s', '[^' in it).
        self.multiline = frozenset(
            t.name for t in ordered if _may_hold_a_line_end(t.pattern.to_regexp())
        )

    def scan(self, text: str) -> Scanned:
        """Every token of ``text``, with an :data:`UNEXPECTED` one where none matches."""
        skip = self.ignore - {_COMMENT}
        multiline, keywords = self.multiline, self.keywords
        count, rfind, make = text.count, text.rfind, str.__new__
        tokens: list[Token] = []
        comments: list[Comment] = []
        keep = tokens.append
        pos = counted = line_start = 0
        line = 1
        for match in self.pattern.finditer(text):
            start = match.start()
            if start != pos:  # no terminal matches at pos: one token for the run skipped
                keep(_unexpected(text, pos, counted, line, line_start))
            pos = match.end()
            kind = match.lastgroup
            assert kind is not None  # every alternative of the pattern is a named group
            if kind in skip:
                continue
            newlines = count('\n', counted, start)
            if newlines:
                line += newlines
                line_start = rfind('\n', counted, start) + 1
            first_line, column = line, start - line_start + 1
            value = match.group()
            if kind in multiline:
                newlines = value.count('\n')
                if newlines:
                    line += newlines
                    line_start = start + value.rindex('\n') + 1
            counted = pos
            if kind == _COMMENT:
                alone = not text[line_start:start].strip()
                comments.append(Comment(value[1:], first_line, column, alone, start))
                continue
            if kind in keywords:
                kind = keywords[kind].get(value, kind)
            # The Token made as the str it is, its attributes set (as in _token): lark's
            # constructor, which also takes older argument names, cost most of the scan.
            token = make(Token, value)
            token.type = kind
            token.value = value
            token.start_pos = start
            token.line = first_line
            token.column = column
            token.end_line = line
            token.end_column = pos - line_start + 1
            token.end_pos = pos
            keep(token)
        if pos != len(text):
            keep(_unexpected(text, pos, counted, line, line_start))
        return Scanned(tokens, comments)

    def single(self, text: str) -> str | None:
        """The type of the one token ``text`` reads as, or None when it is not one token."""
        found = self.pattern.match(text)
        if found is None or found.end() != len(text) or found.lastgroup in self.ignore:
            return None
        kind = found.lastgroup
        assert kind is not None
        return self.keywords[kind].get(text, kind) if kind in self.keywords else kind


def _token(kind: str, value: str, start: int, line: int, column: int) -> Token:
    """A lark :class:`~lark.Token`, ending on its own line (the caller fixes multi-line ones).

    Made as the ``str`` it is with its attributes set: lark's constructor, which
    also accepts older argument names, took three quarters of the time to lex.
    """
    token = str.__new__(Token, value)
    token.type = kind
    token.value = value
    token.start_pos = start
    token.line = token.end_line = line
    token.column = column
    token.end_column = column + len(value)
    token.end_pos = start + len(value)
    return token


def _unexpected(text: str, pos: int, counted: int, line: int, line_start: int) -> Token:
    """The :data:`UNEXPECTED` token for the character at ``pos``.

    Lines are counted on from ``line``, which starts at ``line_start``, up to ``counted``.
    """
    newlines = text.count('\n', counted, pos)
    if newlines:
        line += newlines
        line_start = text.rfind('\n', counted, pos) + 1
    return _token(UNEXPECTED, text[pos], pos, line, pos - line_start + 1)


def _may_hold_a_line_end(regexp: str) -> bool:
    return '\n' in regexp or '\\n' in regexp or '\\s' in regexp or '[^' in regexp
