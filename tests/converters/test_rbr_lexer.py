"""The RBR scanner gives exactly the tokens and errors of lark's basic lexer.

:class:`~rbconfig.converters.rbr.lexer.Scanner` runs one pattern built from
the grammar's terminals in a tighter loop; these tests compare every attribute
of every token, and the place of every lexing error, with what lark's own
lexer (``Lark.lex``) gives on the corpus, on broken variants of it and on
generated texts.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rbconfig.converters.rbr.grammar import _parser, scanner
from rbconfig.converters.rbr.lexer import UNEXPECTED, Scanner

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'
TEXTS = [path.read_text(encoding='utf-8') for path in sorted(CORPUS.glob('*.rbr'))]
ATTRIBUTES = ('type', 'value', 'start_pos', 'line', 'column', 'end_line', 'end_column', 'end_pos')
#: Characters no terminal starts with, and pieces that change how the rest lexes.
BREAKERS = ['@', "'", '"', 'é', '"""', '\r\n', '\t', '# x\n', '$', '\\', '`', '\x00']


def _fields(token: Any) -> tuple[Any, ...]:
    return tuple(getattr(token, name) for name in ATTRIBUTES)


def _comment(comment: Any) -> tuple[Any, ...]:
    return comment.text, comment.line, comment.column, comment.start


def _lark(text: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], Any]:
    """lark's tokens and comments up to its first lexing error, and that error's place."""
    tokens, comments, error = [], [], None
    try:
        for token in _parser().lex(text, dont_ignore=True):
            if token.type == 'COMMENT':
                comments.append((str(token)[1:], token.line, token.column, token.start_pos))
            elif token.type != 'WS':
                tokens.append(_fields(token))
    except lark.UnexpectedCharacters as ex:
        error = (ex.pos_in_stream, ex.line, ex.column, ex.char)
    return tokens, comments, error


def _same(text: str) -> bool:
    """Assert the scanner agrees with lark up to lark's first error; whether there was one."""
    scanned = scanner().scan(text)
    tokens, comments, error = _lark(text)
    ours = [_fields(token) for token in scanned.tokens]
    if error is None:
        assert ours == tokens
        assert [_comment(comment) for comment in scanned.comments] == comments
        return False
    assert ours[: len(tokens)] == tokens
    stray = scanned.tokens[len(tokens)]
    assert (stray.type, stray.start_pos, stray.line, stray.column, str(stray)) == (
        UNEXPECTED,
        *error,
    )
    before = [_comment(comment) for comment in scanned.comments if comment.start < error[0]]
    assert before == comments
    return True


@pytest.mark.parametrize('index', range(len(TEXTS)))
def test_corpus_files_lex_the_same(index: int) -> None:
    assert scanner().scan(TEXTS[index]).tokens
    assert not _same(TEXTS[index])


def test_broken_texts_fail_at_the_same_place() -> None:
    chooser = random.Random(7)
    errors = 0
    for text in TEXTS:
        for _ in range(25):
            at = chooser.randrange(len(text) + 1)
            errors += _same(text[:at] + chooser.choice(BREAKERS) + text[at:])
    assert errors > 50  # the comparison did cover lexing errors


@pytest.mark.parametrize('text', ['', ' ', '\n\n', '@', ' \n  @', 'path', '"""a\nb"""  x', '#'])
def test_edge_texts(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab_.:/ ()",;#|\n\r\t-019{}"@é', max_size=60))
def test_any_text_lexes_the_same(text: str) -> None:
    _same(text)


def test_after_an_unexpected_character_the_scan_goes_on() -> None:
    scanned = scanner().scan('root /a;\n@@ path\n  é x;')
    assert [(token.type, token.line, token.column) for token in scanned.tokens] == [
        ('ROOT', 1, 1),
        ('URL', 1, 6),
        ('SEMI', 1, 8),
        (UNEXPECTED, 2, 1),
        ('PATH', 2, 4),
        (UNEXPECTED, 3, 3),
        ('NAME', 3, 5),
        ('SEMI', 3, 6),
    ]


def test_comments_are_kept_aside() -> None:
    from rbconfig.converters.rbr.grammar import parse

    parsed = parse('# one\nroot /a; # two\n', 'x.rbr')
    assert [(c.text, c.line, c.column, c.own_line) for c in parsed.comments] == [
        (' one', 1, 1, True),
        (' two', 2, 10, False),
    ]


@pytest.mark.parametrize(
    ('text', 'kind'),
    [
        ('path', 'PATH'),
        ('paths', 'NAME'),
        ('socket', 'SOCKET'),
        ('a.b', 'DOTTED'),
        ('python:a.b', 'LOCATION'),
        ('/a/{id}', 'URL'),
        ('"a b"', 'TEXT'),
        ('1.5', 'FLOAT'),
        ('a b', None),
        ('# a', None),
        (' a', None),
        ('', None),
        ('@', None),
    ],
)
def test_single_says_which_one_token_a_text_is(text: str, kind: str | None) -> None:
    assert scanner().single(text) == kind


def test_terminals_with_flags_are_refused() -> None:
    terminals = [*_parser().terminals]
    flagged = lark.lexer.TerminalDef('X', lark.lexer.PatternRE('x', flags=['i']))
    with pytest.raises(ValueError, match='flags'):
        Scanner([*terminals, flagged], [])
