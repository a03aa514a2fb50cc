"""A spec path that is not there is a usage error for every command that reads one."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.cli import main

READERS = [
    ['run'],
    ['openapi'],
    ['asyncapi'],
    ['docs'],
    ['convert', '--to', 'toml'],
]


@pytest.mark.parametrize('command', READERS, ids=lambda command: command[0])
def test_a_missing_spec_is_a_usage_error(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / 'nope.yaml'
    with pytest.raises(SystemExit) as exited:
        main([*command, str(missing)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    # argparse's usage, then one line saying what is wrong; no second line of summary.
    assert captured.err.endswith(f'no such file or folder: {missing}\n')
    assert 'Traceback' not in captured.err and 'cannot use' not in captured.err
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize('command', READERS, ids=lambda command: command[0])
def test_an_empty_spec_name_is_a_usage_error(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, ''])
    assert exited.value.code == 2
    assert "an empty path ''; is a variable unset?" in capsys.readouterr().err
