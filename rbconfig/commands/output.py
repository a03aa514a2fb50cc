"""What the commands print: problems in a spec, and output files.

Every command that writes a file writes it here, under the same rules as
``rbconfig convert``: never onto a spec it reads (:func:`onto_input`), never
over a file unless told to (``--force``), whole or not at all
(:func:`write_atomically`), and into a pipe or a device (``-o /dev/null``)
rather than replacing it.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from ..errors import Problem

__all__ = [
    'identities',
    'onto_input',
    'print_problem',
    'print_spec_error',
    'is_stream',
    'special_kind',
    'write_atomically',
    'write_export',
    'write_output',
    'write_stdout',
]


def print_spec_error(error: Exception, stream: TextIO | None = None) -> None:
    """Print a SpecError's problems (see :func:`print_problem`), then a summary line."""
    out = stream or sys.stderr
    problems = getattr(error, 'problems', None)
    if not problems:
        print(f'rbconfig: {error}', file=out)
        return
    for problem in problems:
        print_problem(problem, out)
    errors = sum(1 for problem in problems if problem.severity == 'error')
    files = ', '.join(dict.fromkeys(problem.file for problem in problems))
    print(f'rbconfig: cannot use {files} ({errors} error{"s" if errors != 1 else ""})', file=out)


def print_problem(problem: Problem, stream: TextIO | None = None) -> None:
    """``file:line:col: error: where: message`` (or ``warning:``).

    ``rbconfig validate``'s line (:class:`~rbconfig.errors.Problem`'s ``str``), except
    that errors are labelled ``error:`` too.
    """
    where = f' {problem.where}:' if problem.where else ''
    print(
        f'{problem.file_position}: {problem.severity}:{where} {problem.message}',
        file=stream or sys.stderr,
    )


def identities(inputs: Iterable[str | os.PathLike[str]]) -> dict[tuple[int, int], str]:
    """The files ``inputs`` name, by device and inode (the ones that exist), for
    :func:`onto_input`: stated once, however many targets are checked against them."""
    found: dict[tuple[int, int], str] = {}
    for source in inputs:
        try:
            read = os.stat(source)
        except OSError:
            continue
        found.setdefault((read.st_dev, read.st_ino), os.fspath(source))
    return found


def onto_input(target: str | os.PathLike[str], inputs: dict[tuple[int, int], str]) -> str:
    """``target is the spec being read`` when it is one of ``inputs`` (:func:`identities`),
    else ''.

    The same file however it is named: through a symbolic link, ``../``, or a
    hard link (the device and inode are compared, not the names).
    """
    try:
        written = os.stat(target)
    except OSError:
        return ''  # nothing there yet (or a dangling link): no input is overwritten
    source = inputs.get((written.st_dev, written.st_ino))
    if source is None:
        return ''
    same = '' if source == os.fspath(target) else f' ({source})'
    return f'{os.fspath(target)} is the spec being read{same}'


def write_output(
    command: str,
    text: str,
    output: str | None,
    *,
    inputs: Iterable[str] = (),
    force: bool = False,
) -> int:
    """Write ``text`` to the file ``output`` ('-' or None: stdout); returns the exit status.

    As ``rbconfig convert`` writes (:func:`write_atomically`): not onto one of the
    ``inputs`` (status 2), not over an existing file without ``force`` (status 1).
    """
    if output in (None, '-'):
        return write_stdout(text)
    refusal = onto_input(output, identities(inputs))
    if refusal:
        print(f'rbconfig {command}: error: {refusal}; refusing to overwrite it', file=sys.stderr)
        return 2
    if os.path.isdir(output):
        print(f'rbconfig {command}: {output} is a folder; give a file name', file=sys.stderr)
        return 1
    if not Path(output).parent.is_dir():  # a typo, most likely: not a folder to make
        reason = os.strerror(errno.ENOENT)
        print(f'rbconfig {command}: cannot write {output}: {reason}', file=sys.stderr)
        return 1
    try:
        write_atomically(Path(output), text, replace=force)
    except FileExistsError:
        print(f'rbconfig {command}: {output} exists; use --force to overwrite it', file=sys.stderr)
        return 1
    except OSError as ex:
        print(f'rbconfig {command}: cannot write {output}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    return 0


def write_export(
    command: str, args: argparse.Namespace, export: Callable[..., dict[str, Any]]
) -> int:
    """Load ``args.spec``, write ``export(document, warnings=...)`` as JSON; the exit status.

    For ``rbconfig openapi`` and ``rbconfig asyncapi``: an invalid spec prints its
    problems (status 1); a ``python:`` model that does not import is a warning
    line, and the document is written without its schema. ``args.output`` and
    ``args.force`` are used as :func:`write_output` does.
    """
    from ..converters import load
    from ..errors import SpecError

    warnings: list[Problem] = []
    try:
        document = export(load(args.spec), warnings=warnings)
    except SpecError as ex:
        print_spec_error(ex)
        return 1
    for warning in warnings:
        print_problem(warning)
    text = json.dumps(document, indent=2, ensure_ascii=False) + '\n'
    return write_output(command, text, args.output, inputs=[args.spec], force=args.force)


def write_stdout(text: str) -> int:
    """Write ``text`` to standard output; returns the exit status.

    A reader that stops early (``| head``) closes the pipe: that is not an error
    to show, only the end of the output (status 1, nothing printed, no traceback).
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that is quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def write_atomically(target: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` to ``target`` whole or not at all, through a temporary file beside it.

    A named pipe or a character device at ``target`` (links followed:
    ``/dev/null``, ``/dev/stdout``, a shell's ``<(...)``) is written into, with
    or without ``replace``: that is what naming it means, and a rename would put
    a regular file in the node's place.

    Args:
        target: The file to write (its folder is made if missing).
        text: What to write, as UTF-8 with ``\\n`` line ends.
        replace: Replace whatever is at ``target`` (a symbolic link is replaced,
            never written through; a file keeps its permissions). Without it,
            ``target`` is created exclusively.

    Raises:
        FileExistsError: without ``replace``, when anything is at ``target``.
        OSError: when the folder cannot be made or written, or ``target`` is a
            block device or a socket (never replaced).
    """
    kind = special_kind(target)
    if kind in _STREAMS:
        with open(target, 'w', encoding='utf-8', newline='\n') as stream:
            stream.write(text)
        return
    if kind:
        raise OSError(errno.EINVAL, f'{kind}, not a regular file: not replaced')
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale(folder)
    temporary = folder / f'.{target.name}{_TEMPORARY}{os.getpid()}.tmp'
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, 'w', encoding='utf-8', newline='\n') as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        keep = replace and target.is_file()
        os.chmod(temporary, (target.stat().st_mode & 0o777) if keep else (0o666 & ~umask))
        if replace:
            os.replace(temporary, target)
        else:
            _create(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _create(temporary: Path, target: Path) -> None:
    """Move ``temporary`` to ``target`` if nothing is there (FileExistsError otherwise)."""
    try:
        os.link(temporary, target)  # atomic, and fails on anything already there
    except OSError as ex:
        if ex.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # No hard links here (some network and FAT file systems): claim the name, then rename.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(temporary, target)


#: What :func:`special_kind` calls the nodes written into rather than replaced.
_STREAMS = ('a named pipe (FIFO)', 'a character device')

_KINDS = (
    (stat.S_ISFIFO, _STREAMS[0]),
    (stat.S_ISCHR, _STREAMS[1]),
    (stat.S_ISBLK, 'a block device'),
    (stat.S_ISSOCK, 'a socket'),
)


def special_kind(path: str | os.PathLike[str]) -> str:
    """What ``path`` is (links followed) when a pipe, device or socket; '' otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ''
    return next((name for test, name in _KINDS if test(mode)), '')


def is_stream(path: str | os.PathLike[str]) -> bool:
    """A named pipe or character device at ``path``: written into, never replaced."""
    return special_kind(path) in _STREAMS


#: Between the target's name and the writer's process id in a temporary file's name.
_TEMPORARY = '.rbconfig-'

#: Folders already rid of stale temporary files by this process.
_CLEANED: set[Path] = set()


def _remove_stale(folder: Path) -> None:
    """Remove the temporary files that killed conversions left in ``folder`` (once)."""
    if folder in _CLEANED:
        return
    _CLEANED.add(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith('.') and name.endswith('.tmp') and _TEMPORARY in name):
            continue
        pid = name[name.rindex(_TEMPORARY) + len(_TEMPORARY) : -len('.tmp')]
        if pid.isdigit() and not _alive(int(pid)):
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
