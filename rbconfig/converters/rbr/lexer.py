"""lark's basic lexer with a faster loop: the same tokens, the same errors, in half the time.

lark's :class:`~lark.lexer.BasicLexer` matches one token at a time from Python
(``match`` at a position, a :class:`~lark.lexer.LineCounter` fed with every
token, white space included). :class:`FastLexer` runs the very same compiled
pattern lark builds from ``rbr.lark`` with :meth:`re.Pattern.finditer`, skips
ignored white space without making a token for it, and counts lines only
where a line can end. Keywords, comments and every other lexer callback are
applied as lark applies them, so the tokens (type, text, start, line, column,
end line, end column, end) are equal to lark's own.

Where no terminal matches, it hands over to lark's lexer at that very place,
which raises :class:`~lark.exceptions.UnexpectedCharacters` exactly as it
would have; syntax errors found by the parser are lark's own too. If lark's
internals are not as expected, lark's own loop does all the lexing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lark.common import LexerConf
from lark.lexer import (
    BasicLexer,
    Lexer,
    LexerState,
    LineCounter,
    PatternStr,
    Token,
    UnlessCallback,
)

__all__ = ['FastLexer']


class FastLexer(Lexer):
    """A drop-in for lark's basic lexer (``lark.Lark(..., lexer=FastLexer)``)."""

    __future_interface__ = 2

    def __init__(self, conf: LexerConf) -> None:
        self.basic = BasicLexer(conf)
        #: The one pattern with a named group per terminal, or None: lark's own loop.
        self.pattern: Any = None
        try:
            self._prepare()
        except (AttributeError, TypeError):  # lark's internals changed: lark's loop it is
            self.pattern = None

    def _prepare(self) -> None:
        scanner = self.basic.scanner  # builds lark's pattern and callbacks
        callbacks = dict(self.basic.callback)
        self.ignore = self.basic.ignore_types
        self.newline_types = self.basic.newline_types
        #: Words a name-like terminal turns into keywords (lark's "unless" callbacks), when
        #: they are plain strings: a dictionary look-up does what lark's full match does.
        self.keywords: dict[str, dict[str, str]] = {}
        for name, callback in list(callbacks.items()):
            if isinstance(callback, UnlessCallback) and all(
                isinstance(terminal.pattern, PatternStr) and not terminal.pattern.flags
                for terminal in callback.scanner.terminals
            ):
                self.keywords[name] = {
                    terminal.pattern.value: terminal.name for terminal in callback.scanner.terminals
                }
                del callbacks[name]
        self.callbacks = callbacks
        #: Ignored terminals no callback needs to see: skipped without a token.
        self.skip = self.ignore - callbacks.keys()
        # lark splits its pattern when it has too many groups; then lark's loop is used.
        # The loop needs one compiled pattern whose named groups are the terminals.
        patterns = scanner._mres
        pattern = patterns[0] if len(patterns) == 1 else None
        terminals = {terminal.name for terminal in scanner.terminals}
        if isinstance(pattern, re.Pattern) and set(pattern.groupindex) == terminals:
            self.pattern = pattern

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """The tokens of the text, as lark's basic lexer gives them."""
        text = lexer_state.text
        complete = getattr(text, 'is_complete_text', None)
        if self.pattern is None or (complete is not None and not complete()):
            return self.basic.lex(lexer_state, parser_state)
        return self._lex(getattr(text, 'text', text), lexer_state, parser_state)

    def _lex(self, text: str, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        ignore, skip, newline_types = self.ignore, self.skip, self.newline_types
        keywords, callbacks = self.keywords, self.callbacks
        count, rfind = text.count, text.rfind
        make = str.__new__
        pos = counted = line_start = 0
        line = 1
        last = None
        for match in self.pattern.finditer(text):
            start = match.start()
            if start != pos:
                break  # no terminal matches at pos
            pos = match.end()
            kind = match.lastgroup
            if kind in skip:
                continue
            newlines = count('\n', counted, start)
            if newlines:
                line += newlines
                line_start = rfind('\n', counted, start) + 1
            first_line, column = line, start - line_start + 1
            value = match.group()
            if kind in newline_types:
                newlines = value.count('\n')
                if newlines:
                    line += newlines
                    line_start = start + value.rindex('\n') + 1
            counted = pos
            token = make(Token, value)
            token.type = keywords[kind].get(value, kind) if kind in keywords else kind
            token.value = value
            token.start_pos = start
            token.line = first_line
            token.column = column
            token.end_line = line
            token.end_column = pos - line_start + 1
            token.end_pos = pos
            if kind in callbacks:
                token = callbacks[kind](token)
            if kind in ignore:
                continue
            last = token
            yield token
        if pos == len(text):
            return
        # No terminal matches at pos: lark's own lexer takes over there and says so.
        newlines = count('\n', counted, pos)
        if newlines:
            line += newlines
            line_start = rfind('\n', counted, pos) + 1
        counter = LineCounter('\n')
        counter.char_pos, counter.line = pos, line
        counter.line_start_pos, counter.column = line_start, pos - line_start + 1
        lexer_state.line_ctr, lexer_state.last_token = counter, last
        yield from self.basic.lex(lexer_state, parser_state)
