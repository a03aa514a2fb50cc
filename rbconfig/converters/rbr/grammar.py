"""The RBR grammar (``rbr.lark``), its parser, and syntax errors in plain words.

The lark parser is built once per process, on first use, so importing the
converters (for YAML or TOML work) never pays for it.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from ...errors import Problem, SpecError
from .._text import paused_gc
from .values import tokens_of

if TYPE_CHECKING:
    import lark

__all__ = ['Comment', 'Parsed', 'keywords', 'parse']

#: Terminals that start a value, and the operations that can stand for one.
_VALUE_STARTS = {'TEXT', 'INT', 'FLOAT', 'URL', 'LOCATION', 'DOTTED'}
_NAMES = {'NAME', 'SOCKET', 'DEFINE'}
_OPERATIONS = {'UNLESS', 'ON', 'SET', 'DESCRIBE', 'DESCRIPTION', 'ALTER'}
_DEFINITIONS = ('PATH', 'META', 'GLOBAL', 'TYPE', 'ROOT', 'SOCKET', 'WORKER', 'ARBITER')
_DEFINITION_RULES = {'path', 'meta', 'global', 'type', 'worker', 'arbiter', 'root', 'socket'}
_WORDS = {
    'NAME': 'a name',
    'TEXT': 'a string',
    'INT': 'a number',
    'FLOAT': 'a number',
    'URL': 'a URL',
    'LOCATION': 'a location',
    'DOTTED': 'a dotted name',
    '$END': 'the end of the file',
}
#: The order expected tokens are listed in.
_ORDER = ['COMMA', 'RPAR', 'PIPE', 'LPAR', 'SEMI']
_SNIPPET = 40


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment: its text (without ``#``), where it starts, if alone on its line."""

    text: str
    line: int
    column: int
    own_line: bool
    start: int


@dataclass
class Parsed:
    """The parse tree of an RBR text and its comments, in order."""

    tree: lark.Tree
    comments: list[Comment]


class _Collector(threading.local):
    def __init__(self) -> None:
        self.tokens: list[Any] = []


_collector = _Collector()


def _keep_comment(token: lark.Token) -> lark.Token:
    _collector.tokens.append(token)
    return token


@functools.cache
def _parser() -> lark.Lark:
    import lark

    from .lexer import FastLexer

    grammar = resources.files(__package__).joinpath('rbr.lark').read_text(encoding='utf-8')
    return lark.Lark(
        grammar,
        parser='lalr',
        lexer=FastLexer,
        keep_all_tokens=True,
        maybe_placeholders=False,
        lexer_callbacks={'COMMENT': _keep_comment},
    )


@functools.cache
def keywords() -> frozenset[str]:
    """Every reserved word: these cannot be names (of paths, headers, types...)."""
    return frozenset(
        terminal.pattern.value
        for terminal in _parser().terminals
        if type(terminal.pattern).__name__ == 'PatternStr'
        and terminal.pattern.value.isalpha()
        and terminal.name not in ('SOCKET', 'DEFINE')
    )


def parse(text: str, file: str) -> Parsed:
    """Parse RBR ``text`` (``\\r`` is white space outside strings, kept inside them).

    Raises:
        SpecError: with one problem, at the line and column where the text
            stops making sense, saying what was expected there.
    """
    import lark

    parser = _parser()
    _collector.tokens = []
    try:
        with paused_gc():
            tree = parser.parse(text)
    except lark.UnexpectedCharacters as ex:
        raise SpecError([_characters_problem(text, file, ex)]) from None
    except lark.UnexpectedToken as ex:
        raise SpecError([_token_problem(text, file, ex)]) from None
    except lark.UnexpectedEOF as ex:  # pragma: no cover - LALR raises UnexpectedToken
        line, column = _end_of(text)
        problem = Problem(file, line, column, '', f'unexpected end of file: {ex}')
        raise SpecError([problem]) from None
    finally:
        found, _collector.tokens = _collector.tokens, []
    comments = []
    for token in found:
        start = token.start_pos
        line_start = text.rfind('\n', 0, start) + 1
        own_line = not text[line_start:start].strip()
        comments.append(Comment(str(token)[1:], token.line, token.column, own_line, start))
    return Parsed(tree, comments)


def _end_of(text: str) -> tuple[int, int]:
    lines = text.split('\n')
    return len(lines), len(lines[-1]) + 1


def _quote(text: str) -> str:
    text = ' '.join(text.split())
    if len(text) > _SNIPPET:
        half = (_SNIPPET - 3) // 2
        head, tail = text[:half], text[-half:]
        head = head.rsplit(' ', 1)[0] if ' ' in head else head
        tail = tail.split(' ', 1)[1] if ' ' in tail else tail
        text = f'{head} … {tail}'
    return repr(text) if "'" in text and '"' not in text else f"'{text}'"


def _describe_expected(accepts: set[str], item_start: bool = False) -> str:
    expected = set(accepts)
    if 'RPAR' in expected:
        expected.discard('SEMI')  # a stray ';' before ')' is tolerated, never asked for
    words: list[str] = []
    if set(_DEFINITIONS) <= expected:
        expected -= {*_DEFINITIONS, 'DEFINE', '$END'}
        words.append('a definition (path, meta, global, type, root, socket, worker or arbiter)')
    if _OPERATIONS <= expected:
        expected -= _VALUE_STARTS | _NAMES | _OPERATIONS
        words.append('an operation' if item_start and 'LPAR' not in expected else 'a value')
    if _NAMES & expected:
        expected -= _NAMES
        expected.discard('DESCRIPTION')
        words.append('a name')
    if {'INT', 'FLOAT'} <= expected:
        expected.discard('FLOAT')
    parser = _parser()
    rest = []
    for name in sorted(expected, key=lambda n: (_ORDER.index(n) if n in _ORDER else 99, n)):
        if name in _WORDS:
            rest.append(_WORDS[name])
        else:
            rest.append(f"'{parser.get_terminal(name).pattern.value}'")
    words = words + rest if "'('" in rest else rest + words
    if len(words) == 1:
        return words[0]
    return f'{", ".join(words[:-1])} or {words[-1]}'


def _context(text: str, stack: list[Any]) -> str:
    """The text of what the parser read last, from the start of the current statement."""
    import lark

    items: list[Any] = []
    closed = bool(stack) and isinstance(stack[-1], lark.Token) and stack[-1].type == 'SEMI'
    for item in reversed(stack):
        if closed:
            items.insert(0, item)
            if isinstance(item, lark.Token) and item.type in _DEFINITIONS:
                break
            continue
        if isinstance(item, lark.Token) and item.type == 'COMMA':
            if not items:
                items.append(item)
            break
        if isinstance(item, lark.Token) and item.type == 'LPAR' and items:
            break
        items.insert(0, item)
        if isinstance(item, lark.Tree) and item.data in _DEFINITION_RULES:
            break
    tokens = [token for item in items for token in tokens_of(item)]
    if not tokens:
        return ''
    return text[tokens[0].start_pos : tokens[-1].end_pos]


def _url_ate_a_paren(stack: list[Any]) -> bool:
    """Whether a URL of the current definition swallowed a ``)`` (RedBarrel's URL lexing)."""
    import lark

    for item in reversed(stack):
        if isinstance(item, lark.Tree) and (
            item.data in _DEFINITION_RULES or str(item.data).startswith('__')
        ):
            break
        for token in tokens_of(item):
            if token.type == 'URL' and token.endswith(')'):
                return True
    return False


def _found(token: Any) -> str:
    if token.type == '$END':
        return 'the end of the file'
    return _quote(str(token))


def _token_problem(text: str, file: str, ex: Any) -> Problem:
    token = ex.token
    accepts = set(ex.accepts or ex.expected)
    stack = ex.state.value_stack if ex.state is not None else []
    item_start = bool(stack) and getattr(stack[-1], 'type', '') in ('LPAR', 'COMMA')
    message = f'expected {_describe_expected(accepts, item_start)}'
    after = _context(text, stack)
    if after:
        message += f' after {_quote(after)}'
    message += f', found {_found(token)}'
    if 'RPAR' in accepts and _url_ate_a_paren(stack):
        message += " (a ')' touching a URL is part of the URL: put a space or ',' before it)"
    if token.type == '$END':
        line, column = _end_of(text)
    else:
        line, column = token.line, token.column
        if str(token) in keywords() and 'NAME' in accepts:
            message += f' ({str(token)!r} is a reserved word)'
    return Problem(file, line, column, '', message)


def _characters_problem(text: str, file: str, ex: Any) -> Problem:
    pos, char = ex.pos_in_stream, ex.char
    line, column = ex.line, ex.column
    if char == '"' and text[max(pos - 2, 0) : pos] == '""':
        message = 'unclosed \'"""\' text: no closing \'"""\' after it'
        column -= 2
    elif char == '"':
        message = (
            "unclosed string: '\"' needs a closing '\"' on the same line "
            '(write text on several lines between \'"""\' and \'"""\')'
        )
    elif char == "'":
        message = 'unexpected "\'": RBR strings are written between \'"\' quotes'
    elif not char.isascii():
        message = f'unexpected character {char!r}: outside strings only ASCII is allowed'
    else:
        message = f'unexpected character {char!r}'
        if text[pos - 1 : pos].strip():
            message += f' after {_quote(text[_word_start(text, pos) : pos])}'
    return Problem(file, line, column, '', message)


def _word_start(text: str, end: int) -> int:
    """Where the run of non-blank characters that ends at ``end`` starts.

    Found with one backward search per blank character: linear in the text
    (a regular expression searching ``\\S+$`` tried every start, which took
    minutes on a long line).
    """
    return max(text.rfind(blank, 0, end) for blank in ' \t\n\r\f\v') + 1
