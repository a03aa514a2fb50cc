"""The collector pause the parsers share: off inside, restored after, never left off."""

from __future__ import annotations

import gc
import weakref
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


class _Node:
    """A container the collector tracks."""


def test_what_the_parse_leaves_alive_goes_to_the_oldest_generation() -> None:
    with paused_gc():
        kept = _Node()
    assert any(obj is kept for obj in gc.get_objects(generation=2))
    assert not any(obj is kept for obj in gc.get_objects(generation=0))


def test_objects_the_program_froze_stay_frozen() -> None:
    frozen = _Node()
    gc.disable()  # no collection moves anything between the pause and the checks
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with paused_gc():
            young = _Node()
        assert gc.get_freeze_count() == before
        assert not any(obj is frozen for obj in gc.get_objects(generation=2))
        assert any(obj is young for obj in gc.get_objects(generation=0))
    finally:
        gc.unfreeze()
        gc.enable()


def test_cyclic_garbage_made_in_the_pause_is_still_collected() -> None:
    with paused_gc():
        node = _Node()
        node.self = node  # type: ignore[attr-defined]
        probe = weakref.ref(node)
        del node
    assert probe() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert probe() is None
