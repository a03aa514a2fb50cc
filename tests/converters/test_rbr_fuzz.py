"""Whatever the text, reading RBR gives a spec or a SpecError: never a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import loads
from rbconfig.errors import SpecError

CORPUS = Path(__file__).resolve().parent.parent / 'fixtures' / 'rbr' / 'corpus'
SOURCES = [path.read_text(encoding='utf-8') for path in sorted(CORPUS.glob('*.rbr'))]
PIECES = [
    '(',
    ')',
    ',',
    ';',
    '|',
    '"',
    '"""',
    '#',
    '\n',
    ' ',
    'path',
    'meta',
    'unless',
    'type',
    'is',
    'not',
    'return',
    'set',
    'describe',
    'x-rbconfig',
    '{',
    '}',
    'python:',
    'file:',
    '/',
    '400',
    '1.5',
    'SOCKETIO',
    'socket',
    'é',
    '\r',
    '\\',
]


def _read(text: str) -> None:
    try:
        document = loads(text, 'rbr', 'fuzz.rbr')
    except SpecError as ex:
        assert ex.problems
        for problem in ex.problems:
            assert problem.file == 'fuzz.rbr' and problem.message
    else:
        assert document.spec.rbconfig == 1


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:where] + draw(st.sampled_from(PIECES)) + text[where:]
        else:
            text = text[:where] + text[where + draw(st.integers(1, 12)) :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_corpus_files(text: str) -> None:
    _read(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text(text: str) -> None:
    _read(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ['x', 'a.b', 'url', 'use']), max_size=40))
def test_random_token_soup(pieces: list[str]) -> None:
    _read(' '.join(pieces))
