"""The specs under ``apps/`` load, and the chat's three twins say the same thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.converters import load

from .conftest import APPS

#: The apps of issue 6 (other folders under apps/ belong to other tests).
APP_NAMES = ('chat', 'monitor', 'shortener')
SPECS = sorted(
    path
    for name in APP_NAMES
    for path in (APPS / name).iterdir()
    if path.suffix in ('.yaml', '.toml', '.rbr')
)


def test_every_app_has_a_spec() -> None:
    assert {path.parent.name for path in SPECS} == set(APP_NAMES)


@pytest.mark.parametrize('path', SPECS, ids=lambda path: str(path.relative_to(APPS)))
def test_app_spec_loads_without_warnings(path: Path) -> None:
    document = load(path)
    assert document.warnings == []
    assert document.spec.sockets, 'every app here talks Socket.IO'


def test_chat_twins_are_the_same_spec() -> None:
    yaml, rbr, toml = (load(APPS / 'chat' / f'chat.{ext}').spec for ext in ('yaml', 'rbr', 'toml'))
    assert rbr == yaml
    assert toml == yaml
    assert yaml.sockets['/'].use == 'python:chat.chat'
    assert yaml.paths['chat_html'].use == 'file:chat.html'


def test_monitor_starts_its_sampler_from_a_global() -> None:
    spec = load(APPS / 'monitor' / 'monitor.yaml').spec
    assert spec.globals['monitor'] == 'python:monitor.start'
    assert set(spec.sockets['/'].events) == {'connect', 'disconnect', 'chat'}


def test_shortener_store_is_a_global_after_its_settings() -> None:
    spec = load(APPS / 'shortener' / 'shortener.yaml').spec
    # Globals are built in order: the store sees redis_url and redis_prefix.
    assert list(spec.globals) == ['redis_url', 'redis_prefix', 'store']
    assert spec.globals['redis_url'] == ''
