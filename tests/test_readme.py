"""The README's first screen tells the truth: its snippets are the real files, and its two
commands do what it says, the way a user installs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / 'README.md').read_text(encoding='utf-8')


def first_screen_commands() -> list[str]:
    heading = r'\*\*Set up and run on a fresh machine\*\*'
    block = re.search(heading + r'.*?```sh\n(.*?)```', README, re.S)
    assert block is not None, 'the README lost its set-up commands'
    return [line.split('#')[0].strip() for line in block.group(1).splitlines()]


@pytest.mark.parametrize('name', ['apps/hello/hello.yaml', 'apps/hello/hello.py'])
def test_snippet_is_the_file(name: str) -> None:
    text = (ROOT / name).read_text(encoding='utf-8')
    assert f'\n{text}```' in README, f'README no longer shows {name} as it is'


def test_set_up_commands_are_make_targets() -> None:
    """Each of the two commands is a make invocation that make accepts (a dry run)."""
    commands = first_screen_commands()
    assert len(commands) == 2
    for command in commands:
        words = shlex.split(command)
        assert words[0] == 'make', command
        dry = subprocess.run(
            [*words, '--dry-run'], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert dry.returncode == 0, f'{command}: {dry.stderr}'


def test_first_command_job_from_a_wheel() -> None:
    """What ``make run`` does, from a wheel installed without extras by Debian's Python.

    scripts/smoke-wheel serves every example app from that install: page 200, the Engine.IO
    handshake where the app has sockets, a clean stop on SIGTERM; a missing extra is a
    one-line error naming it; and docs/serving.md's gunicorn commands work in that venv with
    the extra the page names.
    """
    result = subprocess.run(
        [sys.executable, str(ROOT / 'scripts' / 'smoke-wheel')],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for app in ('chat', 'demos', 'hello', 'monitor', 'rooms', 'shortener'):
        assert f'apps/{app}/{app}.yaml: GET ' in result.stderr, result.stderr
    assert result.stderr.count('docs/serving.md with rbconfig[gunicorn]: ') == 2, result.stderr
