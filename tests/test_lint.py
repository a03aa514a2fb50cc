"""The code base stays ruff clean (lint and format) and mypy clean, as the README promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    'args', [['check', '.'], ['format', '--check', '.']], ids=['lint', 'format']
)
def test_ruff(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, '-m', 'ruff', *args], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    """``mypy`` with pyproject's [tool.mypy] (every function typed, ignores with their code)."""
    result = subprocess.run(
        [sys.executable, '-m', 'mypy'], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
