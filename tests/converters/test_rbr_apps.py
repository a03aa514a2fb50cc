"""Every bundled app spec (YAML, TOML or RBR) can be written as RBR and read back equal."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.converters import dumps, load, loads

APPS = Path(__file__).resolve().parent.parent.parent / 'apps'
SPECS = sorted(path for ending in ('*.yaml', '*.toml', '*.rbr') for path in APPS.rglob(ending))


def test_there_are_apps() -> None:
    assert len(SPECS) >= 5


@pytest.mark.parametrize('path', SPECS, ids=lambda path: str(path.relative_to(APPS)))
def test_app_spec_survives_rbr(path: Path) -> None:
    document = load(path)
    text = dumps(document.spec, 'rbr', document.comments)
    again = loads(text, 'rbr', path.with_suffix('.rbr').name)
    assert again.spec == document.spec
    # The only warnings: workers and arbiters have no effect (nothing else is lossy).
    expected = [
        *(f'workers.{n}' for n in again.spec.workers),
        *(f'arbiters.{n}' for n in again.spec.arbiters),
    ]
    assert [warning.where for warning in again.warnings] == expected
