"""The fast RBR lexer gives exactly the tokens and errors of lark's basic lexer.

:class:`~rbconfig.converters.rbr.lexer.FastLexer` runs lark's own pattern in a
tighter loop; these tests compare every attribute of every token, and the
position of every lexing error, with lark's :class:`~lark.lexer.BasicLexer` on
the corpus and on broken variants of it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.lexer import LexerThread

from rbconfig.converters.rbr.grammar import _parser
from rbconfig.converters.rbr.lexer import FastLexer

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'
TEXTS = [path.read_text(encoding='utf-8') for path in sorted(CORPUS.glob('*.rbr'))]
ATTRIBUTES = ('type', 'value', 'start_pos', 'line', 'column', 'end_line', 'end_column', 'end_pos')
#: Characters no terminal starts with, and pieces that change how the rest lexes.
BREAKERS = ['@', "'", '"', 'é', '"""', '\r\n', '\t', '# x\n', '$', '\\', '`', '\x00']


def _tokens(lexer: Any, text: str) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    try:
        for token in LexerThread.from_text(lexer, text).lex(None):
            found.append(tuple(getattr(token, name) for name in ATTRIBUTES))
    except lark.UnexpectedCharacters as ex:
        found.append(('error', ex.pos_in_stream, ex.line, ex.column, ex.char, str(ex)))
    return found


def _lexers() -> tuple[FastLexer, Any]:
    parser = _parser()
    fast = parser.parser.lexer
    assert isinstance(fast, FastLexer)
    assert fast.pattern is not None  # the fast loop is the one in use
    return fast, parser._build_lexer()


def _same(text: str) -> None:
    fast, basic = _lexers()
    assert _tokens(fast, text) == _tokens(basic, text)


@pytest.mark.parametrize('index', range(len(TEXTS)))
def test_corpus_files_lex_the_same(index: int) -> None:
    fast, _ = _lexers()
    tokens = _tokens(fast, TEXTS[index])
    assert tokens and tokens[-1][0] != 'error'
    _same(TEXTS[index])


def test_broken_texts_fail_at_the_same_place() -> None:
    chooser = random.Random(7)
    errors = 0
    for text in TEXTS:
        for _ in range(25):
            at = chooser.randrange(len(text) + 1)
            broken = text[:at] + chooser.choice(BREAKERS) + text[at:]
            _same(broken)
            fast, _ = _lexers()
            errors += _tokens(fast, broken)[-1][0] == 'error'
    assert errors > 50  # the comparison did cover lexing errors


@pytest.mark.parametrize('text', ['', ' ', '\n\n', '@', ' \n  @', 'path', '"""a\nb"""  x'])
def test_edge_texts(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab_.:/ ()",;#|\n\r\t-019{}"@é', max_size=60))
def test_any_text_lexes_the_same(text: str) -> None:
    _same(text)


def test_comments_reach_the_parser_callback() -> None:
    from rbconfig.converters.rbr.grammar import parse

    parsed = parse('# one\nroot /a; # two\n', 'x.rbr')
    assert [(c.text, c.line, c.column, c.own_line) for c in parsed.comments] == [
        (' one', 1, 1, True),
        (' two', 2, 10, False),
    ]


def _fresh() -> FastLexer:
    return FastLexer(_parser().lexer_conf)


def test_lark_splitting_its_pattern_falls_back_to_its_own_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """lark splits its pattern when it has too many groups; its own loop then lexes."""
    build = lark.lexer.Scanner._build_mres

    def halves(scanner: Any, terminals: list[Any], _max_size: int) -> list[Any]:
        return build(scanner, terminals, max(len(terminals) // 2, 1))

    monkeypatch.setattr(lark.lexer.Scanner, '_build_mres', halves)
    fast = _fresh()
    assert fast.pattern is None
    basic = _parser()._build_lexer()
    for text in [TEXTS[0], TEXTS[0][:200] + '@' + TEXTS[0][200:], '']:
        expected = _tokens(basic, text)
        assert _tokens(fast, text) == expected
        assert len(expected) > 1 or not text


def test_a_pattern_of_another_shape_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """lark before 1.2 kept (pattern, group names) pairs: not a pattern the loop can run."""
    build = lark.lexer.Scanner._build_mres

    def pairs(scanner: Any, terminals: list[Any], max_size: int) -> list[Any]:
        return [(mre, dict(mre.groupindex)) for mre in build(scanner, terminals, max_size)]

    monkeypatch.setattr(lark.lexer.Scanner, '_build_mres', pairs)
    assert _fresh().pattern is None


def test_missing_internals_leave_lark_s_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lark.lexer.BasicLexer, 'scanner', property(lambda _self: object()))
    fast = _fresh()
    assert fast.pattern is None
    monkeypatch.undo()
    assert _fresh().pattern is not None  # the same conf runs the fast loop when all is there
