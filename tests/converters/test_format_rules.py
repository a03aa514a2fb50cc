"""Rules every format keeps alike: empty files, byte order marks."""

from __future__ import annotations

import pytest

from rbconfig.converters import loads
from rbconfig.converters.base import EMPTY
from rbconfig.errors import SpecError

FORMATS = ['rbr', 'yaml', 'toml']

#: The smallest valid spec with one path, in each format.
ONE_PATH = {
    'rbr': 'path a (\n    url /a,\n    use python:m.a\n);\n',
    'yaml': 'rbconfig: 1\npaths:\n  a:\n    url: /a\n    use: python:m.a\n',
    'toml': 'rbconfig = 1\n[paths.a]\nurl = "/a"\nuse = "python:m.a"\n',
}


@pytest.mark.parametrize('fmt', FORMATS)
@pytest.mark.parametrize(
    'text', ['', '\n  \n', '# nothing here\n#\n'], ids=['empty', 'blank', 'comments']
)
def test_a_file_with_nothing_in_it_is_an_error_in_every_format(fmt: str, text: str) -> None:
    """One rule (RedBarrel took an empty .rbr; YAML and TOML were errors, each worded its way)."""
    with pytest.raises(SpecError) as caught:
        loads(text, fmt, f'empty.{fmt}')
    assert str(caught.value) == f'empty.{fmt}:1:1: {EMPTY}'


@pytest.mark.parametrize('fmt', FORMATS)
def test_a_byte_order_mark_is_read_past_in_every_format(fmt: str) -> None:
    """Editors hide it; TOML said '1:1: invalid statement', RBR 'unexpected character'."""
    document = loads('\ufeff' + ONE_PATH[fmt], fmt, f'bom.{fmt}')
    assert document.spec.paths['a'].url == '/a'
    assert document.positions == loads(ONE_PATH[fmt], fmt).positions  # as without the mark


@pytest.mark.parametrize('fmt', FORMATS)
def test_a_bare_name_as_a_location_gets_the_same_hint_in_every_format(fmt: str) -> None:
    text = ONE_PATH[fmt].replace('python:m.a', 'handler')
    with pytest.raises(SpecError) as caught:
        loads(text, fmt, f'spec.{fmt}')
    (problem,) = caught.value.problems
    assert problem.where == 'paths.a.use'
    assert problem.message.endswith("got 'handler' (did you mean 'python:handler'?)")
