"""``rbconfig run`` turns off gevent's greenlet-tree records and freezes start-up's objects."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.server import start_gunicorn, start_server

SPEC = """\
rbconfig: 1
paths:
  state:
    method: GET
    url: /state
    use: python:tuning_probe.state
"""

PROBE = """\
import gc

import gevent


def state():
    return {'track': gevent.config.track_greenlet_tree, 'frozen': gc.get_freeze_count()}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / 'tuning_probe.py').write_text(PROBE)
    (tmp_path / 'spec.yaml').write_text(SPEC)
    return tmp_path / 'spec.yaml'


def state(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f'{url}/state', timeout=10) as response:
        return json.loads(response.read())


def test_run_tunes_the_process(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('GEVENT_TRACK_GREENLET_TREE', raising=False)
    with start_server(spec) as server:
        found = state(server.url)
    assert found['track'] is False
    # Modules, the model and the app: tens of thousands of objects at least.
    assert isinstance(found['frozen'], int) and found['frozen'] > 10_000


def test_a_setting_in_the_environment_is_left_to_gevent(spec: Path) -> None:
    with start_server(spec, env={'GEVENT_TRACK_GREENLET_TREE': '1'}) as server:
        assert state(server.url)['track'] is True


def test_the_gunicorn_hook_tunes_each_worker(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/serving.md, "gunicorn": the same settings through gunicorn's post_worker_init hook.
    monkeypatch.delenv('GEVENT_TRACK_GREENLET_TREE', raising=False)
    conf = tmp_path / 'gunicorn.conf.py'
    conf.write_text(
        'from rbconfig.runtime.tuning import tune_process\n\n\n'
        'def post_worker_init(worker):\n'
        '    tune_process()\n'
    )
    app = f'rbconfig.wsgi:app_factory({str(spec)!r})'
    with start_gunicorn(app, '-c', str(conf)) as server:
        found = state(server.url)
    assert found['track'] is False
    assert isinstance(found['frozen'], int) and found['frozen'] > 10_000
