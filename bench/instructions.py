"""Instructions counted by valgrind's callgrind: growth figures the machine's load does not move."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence

__all__ = ['available', 'count']

_CALLGRIND = ['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null']


def available() -> bool:
    """Whether valgrind is installed."""
    return shutil.which('valgrind') is not None


def count(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Instructions ``command`` runs under callgrind, with Python's hash seed fixed (so the
    same run counts the same)."""
    done = subprocess.run(
        [*_CALLGRIND, *command],
        check=True,
        capture_output=True,
        text=True,
        env={**env, 'PYTHONHASHSEED': '0'},
    )
    found = re.search(r'Collected : (\d+)', done.stderr)
    if found is None:
        raise SystemExit(f'callgrind printed no count:\n{done.stderr[-2000:]}')
    return int(found.group(1))
