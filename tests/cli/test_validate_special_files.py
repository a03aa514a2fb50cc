"""Only regular files are read, and only so much (issue 11.7).

A named pipe nobody writes to made ``rbconfig validate`` wait forever, and a
link to ``/dev/zero`` filled the memory. Each case runs the real command in a
child process (a regression would hang it, so the child has a generous timeout
as a safety net; nothing is timed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rbconfig.document.files import MAX_BYTES, NotReadable, read_regular

GOOD = 'rbconfig: 1\npaths:\n  hello:\n    url: /hello\n'


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'validate', *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / 'pipe.yaml'
    os.mkfifo(path)
    return path


@pytest.fixture
def zero(tmp_path: Path) -> Path:
    path = tmp_path / 'zero.yaml'
    path.symlink_to('/dev/zero')
    return path


def test_a_named_fifo_is_refused(fifo: Path) -> None:
    result = validate(fifo)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'{fifo}: a named pipe (FIFO): only regular files are read',
        '1 spec file checked, 1 invalid (1 error)',
    ]


def test_a_link_to_dev_zero_is_refused(zero: Path) -> None:
    result = validate(zero)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f'{zero}: a character device: only regular files are read'
    )


def test_special_files_found_in_a_folder_are_reported(
    tmp_path: Path, fifo: Path, zero: Path
) -> None:
    (tmp_path / 'good.yaml').write_text(GOOD)
    result = validate(tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'{fifo}: a named pipe (FIFO): only regular files are read',
        f'{zero}: a character device: only regular files are read',
        '3 spec files checked, 2 invalid (2 errors)',
    ]


def test_a_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / 'big.yaml'
    with big.open('wb') as handle:  # sparse: no disk used
        handle.truncate(MAX_BYTES + 1)
    result = validate(big)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f'{big}: larger than 33,554,432 bytes (32 MiB), the most read'
    )


def test_read_regular(tmp_path: Path) -> None:
    small = tmp_path / 'small.yaml'
    small.write_bytes(b'12345')
    assert read_regular(small) == b'12345'
    assert read_regular(small, limit=5) == b'12345'
    with pytest.raises(NotReadable, match='larger than 4 bytes'):
        read_regular(small, limit=4)
    with pytest.raises(NotReadable, match='^a folder: '):
        read_regular(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / 'missing.yaml')
    # A file whose size says 0 but holds more (like those in /proc) is still read whole.
    assert read_regular('/proc/self/status').startswith(b'Name:')
