"""The RBR grammar (``rbr.lark``), its parser, and syntax errors in plain words.

The lark parser is built once per process, on first use, so importing the
converters (for YAML or TOML work) never pays for it. Text is cut into tokens
by :class:`~.lexer.Scanner` and fed to lark's interactive LALR parser one by
one; after a syntax error the parser drops the definition it was reading and
goes on at the next one, so one read reports every independent mistake.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from ...document.collector import paused_gc
from ...errors import Problem
from .lexer import UNEXPECTED, Comment, Scanner

if TYPE_CHECKING:
    import lark
    from lark.parsers.lalr_interactive_parser import InteractiveParser

__all__ = ['Comment', 'Parsed', 'keywords', 'parse', 'scanner']

#: Terminals that start a value, and the operations that can stand for one.
_VALUE_STARTS = {'TEXT', 'INT', 'FLOAT', 'URL', 'LOCATION', 'DOTTED'}
_NAMES = {'NAME', 'SOCKET', 'DEFINE'}
_OPERATIONS = {'UNLESS', 'ON', 'SET', 'DESCRIBE', 'DESCRIPTION', 'ALTER'}
_DEFINITIONS = ('PATH', 'META', 'GLOBAL', 'TYPE', 'ROOT', 'SOCKET', 'WORKER', 'ARBITER')
#: Keywords that start a definition wherever they are: every other use is an error.
_ONLY_STARTS = frozenset({'PATH', 'META', 'GLOBAL', 'ROOT', 'WORKER', 'ARBITER'})
#: Words that start a definition only after a ';' or at the start of a line (the other
#: uses: 'unless type is', a path or header named socket or define).
_MAY_START = frozenset({'TYPE', 'SOCKET', 'DEFINE'})
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


@dataclass
class Parsed:
    """The parse tree of an RBR text, its comments in order, and its syntax errors.

    After a syntax error, the definition it is in is left out of the tree.
    """

    tree: lark.Tree
    comments: list[Comment]
    problems: list[Problem] = field(default_factory=list)


#: The lark versions the parser state's layout was checked against (see _back_to_the_top).
_LARK_VERSIONS = ('1.',)


@functools.cache
def _parser() -> lark.Lark:
    import lark

    if not lark.__version__.startswith(_LARK_VERSIONS):
        raise RuntimeError(
            f'rbconfig reads RBR with lark 1.x (tested 1.2 and 1.3); lark {lark.__version__} '
            'is installed: pip install "lark>=1.2,<2"'
        )
    grammar = resources.files(__package__).joinpath('rbr.lark').read_text(encoding='utf-8')
    return lark.Lark(
        grammar, parser='lalr', lexer='basic', keep_all_tokens=True, maybe_placeholders=False
    )


@functools.cache
def scanner() -> Scanner:
    """The scanner for rbr.lark's terminals (built with the parser, once per process)."""
    parser = _parser()
    return Scanner(parser.terminals, parser.ignore_tokens)


@functools.cache
def keywords() -> frozenset[str]:
    """Every reserved word: these cannot be names (of paths, headers, types...)."""
    from lark.lexer import PatternStr

    return frozenset(
        terminal.pattern.value
        for terminal in _parser().terminals
        if isinstance(terminal.pattern, PatternStr)
        and terminal.pattern.value.isalpha()
        and terminal.name not in ('SOCKET', 'DEFINE')
    )


def parse(text: str, file: str) -> Parsed:
    """Parse RBR ``text`` (``\\r`` is white space outside strings, kept inside them).

    Every syntax error is in :attr:`Parsed.problems`, at the line and column
    where the text stops making sense, saying what was expected there; the
    definitions after it are read on.
    """
    import lark

    parser = _parser()
    scanned = scanner().scan(text)
    tokens = scanned.tokens
    problems: list[Problem] = []
    with paused_gc():
        interactive = parser.parse_interactive()
        feed, count = interactive.feed_token, len(tokens)
        floor = index = 0  # floor: where the definitions read after the last error start
        accepted: dict[tuple[Any, ...], set[str]] = {}
        while True:
            try:
                for index in range(floor, count):
                    feed(tokens[index])
                index = count
                tree = interactive.feed_eof(tokens[-1] if tokens else None)
                break
            except lark.UnexpectedToken:
                accepts = _accepts(interactive, accepted)
                problems.append(_problem(text, file, tokens, index, floor, accepts))
                _back_to_the_top(interactive)
                floor = _next_definition(tokens, index, floor)
    return Parsed(tree, scanned.comments, problems)


def _back_to_the_top(interactive: InteractiveParser) -> None:
    """Drop the definition being read: the parser stands between definitions again.

    lark's interactive parser has no call for this: its state's two stacks are
    cut back to the last state that may end the file (where the definitions
    read so far are complete). This is the one place that reaches into them;
    ``_parser`` refuses a lark whose layout was not checked (lark 2).
    """
    state = interactive.parser_state
    while '$END' not in interactive.choices():
        state.state_stack.pop()
        state.value_stack.pop()


def _accepts(interactive: InteractiveParser, known: dict[tuple[Any, ...], set[str]]) -> set[str]:
    """The terminals the parser can go on with, worked out once per parser state.

    ``InteractiveParser.accepts`` tries every terminal on a copy of the parser;
    a broken file often fails in the same state again and again. The state is
    told by its stack (as in :func:`_back_to_the_top`).
    """
    stack = tuple(interactive.parser_state.state_stack)
    found = known.get(stack)
    if found is None:
        found = known[stack] = interactive.accepts()
    return found


def _starts_definition(tokens: list[Any], index: int) -> bool:
    token = tokens[index]
    if token.type in _ONLY_STARTS:
        return True
    return token.type in _MAY_START and (
        index == 0 or token.column == 1 or tokens[index - 1].type == 'SEMI'
    )


def _next_definition(tokens: list[Any], at: int, floor: int) -> int:
    """Where to read on after an error at ``at``: the next definition (maybe at ``at``)."""
    index = at if at > floor else at + 1
    while index < len(tokens) and not _starts_definition(tokens, index):
        index += 1
    return index


def _definition_start(tokens: list[Any], last: int, floor: int) -> int:
    """The index of the first token of the definition that holds ``tokens[last]``."""
    index = last
    while index > floor and not _begins(tokens, index):
        index -= 1
    return max(index, floor)


def _begins(tokens: list[Any], index: int) -> bool:
    """Whether a definition begins at ``tokens[index]`` (a keyword first or after a ';')."""
    kind = tokens[index].type
    return (kind in _DEFINITIONS or kind == 'DEFINE') and (
        index == 0 or tokens[index - 1].type == 'SEMI'
    )


def _end_of(text: str) -> tuple[int, int]:
    return text.count('\n') + 1, len(text) - text.rfind('\n')


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


def _problem(
    text: str, file: str, tokens: list[Any], at: int, floor: int, accepts: set[str]
) -> Problem:
    """The syntax error at ``tokens[at]`` (past the end: the end of the file)."""
    if at < len(tokens) and tokens[at].type == UNEXPECTED:
        return _characters_problem(text, file, tokens[at])
    last = tokens[at - 1].type if at > floor else ''
    message = f'expected {_describe_expected(accepts, last in ("LPAR", "COMMA"))}'
    after = _context(text, tokens, at, floor)
    if after:
        message += f' after {_quote(after)}'
    if at == len(tokens):
        line, column = _end_of(text)
        message += ', found the end of the file'
    else:
        token = tokens[at]
        line, column = token.line, token.column
        message += f', found {_quote(str(token))}'
    if 'RPAR' in accepts and _url_ate_a_paren(tokens, at, floor):
        message += " (a ')' touching a URL is part of the URL: put a space or ',' before it)"
    if at < len(tokens) and str(tokens[at]) in keywords() and 'NAME' in accepts:
        message += f' ({str(tokens[at])!r} is a reserved word)'
    return Problem(file, line, column, '', message)


def _context(text: str, tokens: list[Any], end: int, floor: int) -> str:
    """The text the parser read last before ``tokens[end]``: the current item or definition.

    That is from the start of the item being read (after the last ',' or '(' at
    its level; a group in parentheses counts as one piece; a ',' read last goes
    with the item before it), or, when the last token is a ';', the whole
    definition it ends.
    """
    if end <= floor:
        return ''
    if tokens[end - 1].type == 'SEMI':
        first = _definition_start(tokens, end - 1, floor)
    else:
        first, depth = end, 0
        while first > floor:
            kind = tokens[first - 1].type
            if kind == 'RPAR':
                depth += 1
            elif kind == 'LPAR':
                if depth <= 1 and first < end:
                    break  # the '(' the item being read follows
                depth = max(depth - 1, 0)
            elif kind == 'COMMA' and depth == 0 and first < end:
                break  # (a ',' read last belongs to the item before it)
            first -= 1
            if _begins(tokens, first):
                break
    return text[tokens[first].start_pos : tokens[end - 1].end_pos] if first < end else ''


def _url_ate_a_paren(tokens: list[Any], end: int, floor: int) -> bool:
    """Whether a URL of the current definition swallowed a ``)`` (RedBarrel's URL lexing)."""
    return any(
        token.type == 'URL' and token.endswith(')')
        for token in tokens[_definition_start(tokens, end - 1, floor) : end]
    )


def _characters_problem(text: str, file: str, token: Any) -> Problem:
    pos, char = token.start_pos, str(token)
    line, column = token.line, token.column
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
