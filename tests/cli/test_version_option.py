"""``rbconfig --version`` and ``-V`` print the installed version."""

from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version

import pytest

import rbconfig


@pytest.mark.parametrize('option', ['--version', '-V'])
def test_version(option: str) -> None:
    command = shutil.which('rbconfig')
    assert command is not None, 'the rbconfig console script is not on PATH (run make test)'
    result = subprocess.run([command, option], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f'rbconfig {version("rbconfig")}\n'
    # One source of truth: the installed metadata comes from rbconfig/__init__.py.
    assert version('rbconfig') == rbconfig.__version__
