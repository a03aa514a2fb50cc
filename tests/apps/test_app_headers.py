"""What the first lines of each spec under ``apps/`` tell a reader to do works (issue 11.17).

Each header names the command that serves it (``rbconfig run apps/...``) or checks it
(``rbconfig validate apps/...``), and the addresses to try (``curl http://127.0.0.1:8000/...``,
``then open http://127.0.0.1:8000/``). The test runs those commands on a port of their own
and asks for each address: it must answer 200.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT, child_env, start_server

from .conftest import APP_ENV, APPS

SPECS = sorted(path for path in APPS.glob('*/*') if path.suffix in ('.yaml', '.toml', '.rbr'))
COMMAND = re.compile(r'rbconfig (run|validate) (apps/\S+)')
ADDRESS = re.compile(r'http://127\.0\.0\.1:8000(/[^\s)]*)?')


def header(path: Path) -> str:
    """The comment lines a spec file starts with."""
    lines = []
    for line in path.read_text(encoding='utf-8').splitlines():
        if not line.startswith('#'):
            break
        lines.append(line)
    return '\n'.join(lines)


def test_every_spec_says_how_to_use_it() -> None:
    for path in SPECS:
        commands = COMMAND.findall(header(path))
        assert commands, f'{path.relative_to(ROOT)}: no "rbconfig run/validate" in its header'
        for _, named in commands:
            assert (ROOT / named).is_file(), f'{path.relative_to(ROOT)}: {named} does not exist'


@pytest.mark.parametrize(
    'path',
    [path for path in SPECS if ADDRESS.search(header(path))],
    ids=lambda path: str(path.relative_to(APPS)),
)
def test_the_addresses_in_a_header_answer(path: Path) -> None:
    text = header(path)
    (kind, spec), *_ = COMMAND.findall(text)
    assert kind == 'run'
    paths = sorted({found or '/' for found in ADDRESS.findall(text)})
    with start_server(ROOT / spec, env=APP_ENV, cwd=ROOT) as server:
        for address in paths:
            with urllib.request.urlopen(server.url + address, timeout=10) as answer:
                assert answer.status == 200, address


@pytest.mark.parametrize(
    'path',
    [path for path in SPECS if 'rbconfig validate' in header(path)],
    ids=lambda path: str(path.relative_to(APPS)),
)
def test_the_validate_command_in_a_header_passes(path: Path) -> None:
    (kind, spec), *_ = COMMAND.findall(header(path))
    result = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'validate', spec],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
