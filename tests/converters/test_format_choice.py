"""Which format reads a file: by name or by ending, importing only that format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rbconfig.cli import FORMATS
from rbconfig.converters import ENDINGS, format_for, formats


def test_endings_are_every_formats_extensions() -> None:
    known = {ext: fmt.name for fmt in formats().values() for ext in fmt.extensions}
    assert known == ENDINGS
    assert list(formats()) == ['yaml', 'toml', 'rbr']
    assert FORMATS == tuple(formats())  # the CLI's choices, kept without importing a format


@pytest.mark.parametrize(
    ('file', 'name'),
    [('a.yaml', 'yaml'), ('a.YML', 'yaml'), ('dir/a.toml', 'toml'), ('a.rbr', 'rbr')],
)
def test_format_by_ending(file: str, name: str) -> None:
    assert format_for(file).name == name


def test_format_by_name_wins_over_ending() -> None:
    assert format_for('a.yaml', 'rbr').name == 'rbr'


def test_unknown_name_and_ending_are_clear() -> None:
    with pytest.raises(
        ValueError, match=r"unknown format 'json'; expected one of: yaml, toml, rbr"
    ):
        format_for('a.yaml', 'json')
    with pytest.raises(
        ValueError,
        match=r"cannot tell the format of 'a.json' from its ending \(.yaml, .yml, .toml, .rbr\)",
    ):
        format_for('a.json')


@pytest.mark.parametrize(('ending', 'absent'), [('toml', 'yaml'), ('yaml', 'tomli')])
def test_loading_one_format_imports_no_other(tmp_path: Path, ending: str, absent: str) -> None:
    spec = tmp_path / f'spec.{ending}'
    spec.write_text('rbconfig = 1\n' if ending == 'toml' else 'rbconfig: 1\n', encoding='utf-8')
    code = (
        'import sys; from rbconfig.converters import load; '
        f'load({str(spec)!r}); print({absent!r} in sys.modules, "lark" in sys.modules)'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ['False', 'False']
