"""The examples in docs/spec-format.md are valid specs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rbconfig.converters import loads

DOC = Path(__file__).resolve().parents[2] / 'docs' / 'spec-format.md'
EXAMPLES = [
    pytest.param(kind, body, id=f'{kind}-{index}')
    for index, (kind, body) in enumerate(
        re.findall(r'```(yaml|toml)\n(.*?)```', DOC.read_text(encoding='utf-8'), re.S)
    )
    if re.search(r'^rbconfig ?[:=] ?1', body, re.M)
]


def test_the_doc_has_both_examples() -> None:
    assert [param.values[0] for param in EXAMPLES] == ['yaml', 'toml']


@pytest.mark.parametrize(('kind', 'body'), EXAMPLES)
def test_doc_example_loads(kind: str, body: str) -> None:
    document = loads(body, kind, f'example.{kind}')
    assert document.spec.paths
