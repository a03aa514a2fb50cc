"""The monitor's /proc readings: on made-up /proc files, and on this machine's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import APPS


def load(name: str) -> ModuleType:
    """Import ``apps/monitor/<name>.py`` without putting the folder on sys.path."""
    spec = importlib.util.spec_from_file_location(
        f'monitor_app_{name}', APPS / 'monitor' / f'{name}.py'
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


probe = load('probe')

STAT = """cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0
cpu0 1 0 1 1 0 0 0 0 0 0
cpu1 1 0 1 1 0 0 0 0 0 0
cpu2 1 0 1 1 0 0 0 0 0 0
intr 1 2 3
ctxt 99
"""


def fake_proc(folder: Path, user: int, system: int, idle: int, iowait: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / 'stat').write_text(
        STAT.format(user=user, system=system, idle=idle, iowait=iowait), encoding='ascii'
    )
    (folder / 'meminfo').write_text(
        'MemTotal:       8000000 kB\nMemFree:         1000000 kB\n'
        'MemAvailable:    2000000 kB\nBuffers:           7504 kB\n',
        encoding='ascii',
    )
    return folder


def test_cpu_percent_is_the_busy_share_between_readings(tmp_path: Path) -> None:
    before = probe.read_cpu(fake_proc(tmp_path, user=100, system=50, idle=800, iowait=50))
    after = probe.read_cpu(fake_proc(tmp_path, user=160, system=70, idle=900, iowait=70))
    # busy +80 (user 60 + system 20), idle +120 (idle 100 + iowait 20): 80 / 200.
    assert probe.cpu_percent(before, after) == pytest.approx(40.0)
    assert probe.cpu_percent(after, after) == 0.0
    assert probe.cpu_count(tmp_path) == 3


def test_memory_percent_counts_what_is_not_available(tmp_path: Path) -> None:
    memory = probe.read_memory(fake_proc(tmp_path, 1, 1, 1))
    assert (memory.total_kb, memory.available_kb) == (8_000_000, 2_000_000)
    assert memory.used_percent == pytest.approx(75.0)
    assert probe.Memory(0, 0).used_percent == 0.0


def test_a_strange_stat_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / 'stat').write_text('intr 1 2 3\n', encoding='ascii')
    with pytest.raises(ValueError, match='unexpected first line'):
        probe.read_cpu(tmp_path)


def test_this_machine_reads_in_range() -> None:
    before = probe.read_cpu()
    sum(range(200_000))  # a little work so some time passes
    after = probe.read_cpu()
    assert after.total >= before.total
    assert 0.0 <= probe.cpu_percent(before, after) <= 100.0
    memory = probe.read_memory()
    assert memory.total_kb > 0
    assert 0.0 < memory.used_percent < 100.0
    assert probe.cpu_count() >= 1
