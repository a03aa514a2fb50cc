"""Reading the files a spec is made of: regular files only, and never too much.

A spec (or a handler module read by ``rbconfig validate``) named on the command
line or found in a folder could be a named pipe, a device or a link to one:
reading it would wait forever (a FIFO nobody writes) or fill the memory
(``/dev/zero``). :func:`read_regular` opens without blocking, refuses anything
but a regular file, and reads at most :data:`MAX_BYTES`.
"""

from __future__ import annotations

import os
import stat

__all__ = ['MAX_BYTES', 'NotReadable', 'read_regular']

#: The largest file read: 32 MiB, six times a 10,000-path spec (about 5 MiB of YAML).
MAX_BYTES = 32 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, 'a folder'),
    (stat.S_ISFIFO, 'a named pipe (FIFO)'),
    (stat.S_ISCHR, 'a character device'),
    (stat.S_ISBLK, 'a block device'),
    (stat.S_ISSOCK, 'a socket'),
)


class NotReadable(OSError):
    """The file is not a regular file, or is larger than the limit."""


def read_regular(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), at most ``limit``.

    Raises:
        NotReadable: it is a folder, pipe, device or socket, or holds more than
            ``limit`` bytes (the message says which).
        OSError: it cannot be opened (missing, no permission...).
    """
    # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_CLOEXEC', 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), 'not a regular file')
            raise NotReadable(f'{kind}: only regular files are read')
        chunks = []
        size = 0
        while True:  # st_size can lie (/proc files say 0) or grow: count what is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise NotReadable(
                    f'larger than {limit:,} bytes ({limit / (1 << 20):g} MiB), the most read'
                )
        return b''.join(chunks)
    finally:
        os.close(fd)
