"""File descriptors: each client connection holds one, and the process has a limit.

The soft limit on open files is often 1,024 while the hard limit allows far
more; a server that keeps it can hold only about a thousand WebSocket clients
("Too many open files"). :func:`raise_open_files_limit` raises the soft limit
to the hard limit at start-up and says how many connections that leaves room
for.
"""

from __future__ import annotations

import os

__all__ = ['raise_open_files_limit']


def raise_open_files_limit() -> str:
    """Raise the soft limit on open files to the hard one; a line saying the result."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 'the open-files limit is not known on this platform'
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    note = ''
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            note = f' (raised from {soft})'
            soft = target
        except (OSError, ValueError) as ex:
            note = f' (could not be raised to {target}: {ex})'
    try:
        in_use = len(os.listdir('/proc/self/fd'))
    except OSError:
        in_use = 0
    return f'open-files limit {soft}{note}: room for about {soft - in_use} connections'
