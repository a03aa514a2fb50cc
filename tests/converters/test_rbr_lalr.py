"""The one-loop LALR driver builds lark's own tree, and gives way to lark on every error.

:class:`~rbconfig.converters.rbr.lalr.TableDriver` runs lark's parse table and
tree callbacks; these tests compare its trees with ``lark.Lark.parse`` on the
corpus and on broken variants of it, and check that whenever lark raises a
syntax error the driver raises :class:`~rbconfig.converters.rbr.lalr.Stuck`
(so the error is reported by lark, as before).
"""

from __future__ import annotations

import random
from pathlib import Path

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rbconfig.converters.rbr.grammar import _driver, _parser, parse
from rbconfig.converters.rbr.lalr import Stuck, TableDriver
from rbconfig.errors import SpecError

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'
TEXTS = [path.read_text(encoding='utf-8') for path in sorted(CORPUS.glob('*.rbr'))]
PIECES = ['(', ')', ';', ',', '|', 'path', 'meta', ' x ', '"t"', '1', '/u', 'unless', '@', '']


def _driver_in_use() -> TableDriver:
    driver = _driver()
    assert isinstance(driver, TableDriver)
    return driver


def _compare(text: str) -> bool:
    """Whether lark parses ``text``; either way the driver must agree."""
    driver = _driver_in_use()
    try:
        expected = _parser().parse(text)
    except lark.UnexpectedInput:
        with pytest.raises(Stuck):
            driver.parse(text)
        return False
    assert driver.parse(text) == expected
    return True


@pytest.mark.parametrize('index', range(len(TEXTS)))
def test_corpus_trees_are_lark_trees(index: int) -> None:
    assert _compare(TEXTS[index])


def test_broken_texts_are_left_to_lark() -> None:
    chooser = random.Random(11)
    failed = 0
    for text in TEXTS:
        for _ in range(25):
            at, to = sorted(chooser.randrange(len(text) + 1) for _ in range(2))
            if chooser.random() < 0.5:
                to = at  # insert only
            broken = text[:at] + chooser.choice(PIECES) + text[to:]
            failed += not _compare(broken)
    assert failed > 100  # syntax errors were covered, not only good texts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ['root', 'global', 'g', 'describe', '200']), max_size=12))
def test_any_token_soup_agrees(pieces: list[str]) -> None:
    _compare(' '.join(pieces))


def test_errors_are_the_same_as_larks() -> None:
    text = 'path a (\n    url /a\n    use python:x.y\n);\n'
    with pytest.raises(SpecError) as caught:
        parse(text, 'x.rbr')
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, 5)
    assert problem.message == "expected ',' or ')' after 'url /a', found 'use'"


def test_a_failed_parse_leaves_no_comments_behind() -> None:
    # '%' cannot start a token: the driver stops, lark's parser reads it all again.
    with pytest.raises(SpecError):
        parse('# one\nroot /a;\n%', 'x.rbr')
    parsed = parse('# one\nroot /a;\n', 'x.rbr')
    assert [comment.text for comment in parsed.comments] == [' one']
