"""Large and hostile inputs: bounded memory, linear time, and every error located.

Each format reads the same kinds of input here: a very long string, a very long
line ending in a mistake. Memory is measured with tracemalloc (deterministic);
time with a CPU budget far above the linear cost, which quadratic work on these
sizes would exceed by orders of magnitude.
"""

from __future__ import annotations

import tracemalloc

import pytest

from rbconfig.converters import loads
from rbconfig.errors import SpecError
from tests.helpers.budget import cpu_budget

FORMATS = ['rbr', 'yaml', 'toml']

#: A spec whose title is ``text`` (double-quoted), in each format.
TITLED = {
    'rbr': 'meta ( title "{}" );\n',
    'yaml': 'rbconfig: 1\nmeta:\n  title: "{}"\n',
    'toml': 'rbconfig = 1\n[meta]\ntitle = "{}"\n',
}


def _problems(text: str, fmt: str) -> list[tuple[int | None, int | None, str]]:
    with pytest.raises(SpecError) as caught:
        loads(text, fmt, f'spec.{fmt}')
    return [(p.line, p.column, p.message) for p in caught.value.problems]


@pytest.mark.parametrize('fmt', FORMATS)
@pytest.mark.parametrize('body', ['a', 'a\\\\', 'a\\"'], ids=['letters', 'backslashes', 'quotes'])
def test_a_long_string_costs_a_few_times_its_size(fmt: str, body: str) -> None:
    """A 2 MB string: peak memory stays under 10 times the text (RBR took 290 times)."""
    loads(TITLED[fmt].format('warm-up'), fmt, f'spec.{fmt}')  # parsers built, modules imported
    text = TITLED[fmt].format(body * (2_000_000 // len(body)))
    tracemalloc.start()
    try:
        document = loads(text, fmt, f'spec.{fmt}')
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    title = document.spec.meta.title if document.spec.meta is not None else None
    assert len(title or '') > 1_000_000
    assert peak < 10 * len(text), f'{peak / len(text):.0f} times the text'


#: A 1 MB line of one word, then a character no format allows there.
LONG_LINE = {
    'rbr': 'path a ( url /{} , $',
    'yaml': 'rbconfig: 1\nx-a: [{} ,, ]\n',
    'toml': 'rbconfig = 1\nx-a = "{}" $\n',
}


@pytest.mark.parametrize('fmt', FORMATS)
def test_an_error_after_a_long_line_is_found_in_linear_time(fmt: str) -> None:
    """RBR searched the whole text before the error for every start: minutes at 1 MB."""
    text = LONG_LINE[fmt].format('a' * 1_000_000)
    with cpu_budget(10, f'reading a 1 MB {fmt} line'):
        problems = _problems(text, fmt)
    assert problems[0][0] is not None
