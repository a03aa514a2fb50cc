"""The collector pause the parsers share: off inside, restored after, never left off."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from rbconfig.document import preflight as preflight_module
from rbconfig.document.collector import paused_gc
from rbconfig.errors import Problem


def test_paused_inside_and_enabled_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_error() -> None:
    with pytest.raises(ValueError), paused_gc():
        raise ValueError('a parser gave up')
    assert gc.isenabled()


def test_nested_pauses_leave_it_paused_until_the_outer_one_ends() -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_caller_that_disabled_it_keeps_it_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_code_checks_run_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Module trees parsed under a large loaded spec: each pass would walk the whole spec."""
    from rbconfig.converters import load

    (tmp_path / 'handlers.py').write_text('def hello():\n    return {}\n')
    spec = tmp_path / 'spec.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  hello:\n    url: /\n    use: python:handlers.hello\n')
    seen: list[bool] = []
    run = preflight_module._Preflight.run

    def spy(self: preflight_module._Preflight) -> list[Problem]:
        seen.append(gc.isenabled())
        return run(self)

    monkeypatch.setattr(preflight_module._Preflight, 'run', spy)
    assert preflight_module.preflight(load(spec)) == []
    assert seen == [False]
    assert gc.isenabled()
