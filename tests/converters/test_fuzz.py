"""Whatever the text, every front-end gives a spec or a located SpecError, within a CPU budget.

Mutated real specs (RedBarrel's corpus and the apps, converted to each format),
random text and token soup are read as ``rbconfig validate`` reads a file. Each
read must end in a document or a :class:`~rbconfig.errors.SpecError` whose every
problem has a line number, and use less than 1 s of CPU: a budget far above what
these inputs need (a few ms), counted in CPU time so that a busy machine does not
fail it (tests/helpers/budget.py). ``bench/fuzz.py`` runs the same checks on
20,000 inputs per format and larger ones.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rbconfig.converters import ENDINGS, dumps, loads
from rbconfig.errors import SpecError
from tests.helpers.budget import cpu_budget

ROOT = Path(__file__).resolve().parent.parent.parent
FORMATS = ['rbr', 'yaml', 'toml']
#: Pieces that change how text reads, in any format and in each.
PIECES = ['\n', ' ', '\t', '\r', '"', "'", '\\', '#', '\x00', 'é', '\ufeff', '{', '}', '[', ']']
PIECES += ['(', ')', ',', ';', ':', '=', '-', '|', '*', '&', '9' * 5000, '[' * 300]
FORMAT_PIECES = {
    'rbr': ['path', 'meta', 'unless', 'type', 'is', 'return', 'set', 'describe', '"""'],
    'yaml': [': ', '- ', '&a ', '*a', '<<: ', '!!str ', '? ', '|', '---\n', '  '],
    'toml': [' = ', '[[', ']]', '"""', "'''", '[paths.x]\n', 'a.b', '{ a = 1 }', 'inf'],
}


@functools.cache
def _seeds(fmt: str) -> list[str]:
    """Real specs in ``fmt``: as written, or converted from the others."""
    files = sorted((ROOT / 'tests' / 'fixtures' / 'rbr' / 'corpus').glob('*.rbr'))
    files += sorted(path for path in (ROOT / 'apps').glob('*/*') if path.suffix in ENDINGS)
    texts = []
    for path in files:
        text = path.read_text(encoding='utf-8')
        if ENDINGS[path.suffix] == fmt:
            texts.append(text)
            continue
        document = loads(text, ENDINGS[path.suffix], str(path))
        try:
            texts.append(dumps(document.spec, fmt, document.comments))
        except ValueError:  # TOML cannot say a null
            pass
    return texts


def _read(text: str, fmt: str) -> None:
    with cpu_budget(1.0, f'reading {len(text):,} characters of {fmt}'):
        try:
            document = loads(text, fmt, f'fuzz.{fmt}')
        except SpecError as ex:
            assert ex.problems
            for problem in ex.problems:
                assert problem.file == f'fuzz.{fmt}' and problem.message
                assert isinstance(problem.line, int) and problem.line >= 1, str(problem)
            return
    assert document.spec.rbconfig == 1


@st.composite
def _mutated(draw: st.DrawFn, fmt: str) -> str:
    text = draw(st.sampled_from(_seeds(fmt)))
    pieces = PIECES + FORMAT_PIECES[fmt]
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(['insert', 'delete', 'repeat', 'cut']))
        if action == 'insert':
            text = text[:where] + draw(st.sampled_from(pieces)) + text[where:]
        elif action == 'delete':
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        elif action == 'repeat':
            end = min(len(text), where + draw(st.integers(1, 60)))
            text = text[:end] + text[where:end] * draw(st.integers(2, 200)) + text[end:]
        else:
            text = text[:where]
    return text


@pytest.mark.parametrize('fmt', FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_specs(fmt: str, data: st.DataObject) -> None:
    _read(data.draw(_mutated(fmt)), fmt)


@pytest.mark.parametrize('fmt', FORMATS)
@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=120))
def test_random_text(fmt: str, text: str) -> None:
    _read(text, fmt)


@pytest.mark.parametrize('fmt', FORMATS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_token_soup(fmt: str, data: st.DataObject) -> None:
    pieces = PIECES + FORMAT_PIECES[fmt] + ['x', 'a.b', 'url', 'use', 'python:m.f', '/a', '400']
    _read(' '.join(data.draw(st.lists(st.sampled_from(pieces), max_size=40))), fmt)
