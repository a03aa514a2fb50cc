"""The README's first screen tells the truth: its snippets are the real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / 'README.md').read_text(encoding='utf-8')


@pytest.mark.parametrize('name', ['apps/hello/hello.yaml', 'apps/hello/hello.py'])
def test_snippet_is_the_file(name: str) -> None:
    text = (ROOT / name).read_text(encoding='utf-8')
    assert f'\n{text}```' in README, f'README no longer shows {name} as it is'


def test_setup_commands_are_the_ones_ci_runs() -> None:
    heading = r'\*\*Set up and run on a fresh machine\*\*'
    block = re.search(heading + r'.*?```sh\n(.*?)```', README, re.S)
    assert block is not None
    commands = [line.split('#')[0].strip() for line in block.group(1).splitlines()]
    assert commands == [
        'make run',
        'make test',
    ]
    assert 'make test' in (ROOT / '.ci' / 'run').read_text(encoding='utf-8')
    assert (ROOT / 'apps' / 'chat' / 'chat.yaml').is_file()
