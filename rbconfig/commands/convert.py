"""``rbconfig convert IN --to yaml|toml|rbr [-o OUT] [--from FMT] [--force]``.

Converts one spec file, or every spec under a folder (the output mirrors the
folder tree). Every file is written whole or not at all: to a temporary file
beside it (``.NAME.rbconfig-PID.tmp``), then moved into place, so a reader
never sees half a file. Without ``--force`` it is moved with a hard link,
which fails if anything is there, even a dangling symbolic link or a file made
after the first check: nothing is ever overwritten unless told to. A temporary
file left by a killed conversion is removed by the next one writing to that
folder (its process is gone).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..converters import ENDINGS, SpecFormat, dumps, format_for, load
from ..errors import SpecError
from .output import write_stdout

__all__ = ['Job', 'plan', 'run', 'write_atomically']


@dataclass(frozen=True)
class Job:
    """One conversion: a spec file and where its converted text goes (None: stdout)."""

    source: Path
    target: Path | None


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.to``; returns the exit status (0, or 1 on failure)."""
    try:
        jobs = plan(Path(args.input), args.to, args.from_format, args.output)
    except ValueError as ex:
        print(f'rbconfig convert: {ex}', file=sys.stderr)
        return 1
    existing = [job.target for job in jobs if job.target is not None and _taken(job.target)]
    if existing and not args.force:
        for target in existing:
            _refuse(target)
        return 1
    status = 0
    for job in jobs:
        status = max(status, _convert(job, args.to, args.from_format, args.force))
    return status


def _taken(target: Path) -> bool:
    """Anything at ``target``, even a symbolic link to nothing."""
    return os.path.lexists(target)


def _refuse(target: Path) -> None:
    print(f'rbconfig convert: {target} exists; use --force to overwrite it', file=sys.stderr)


def plan(source: Path, to: str, from_format: str | None, output: str | None) -> list[Job]:
    """The conversions to do for ``source`` (a file or a folder).

    Raises:
        ValueError: when the input is missing, holds no spec, or two inputs
            would be written to the same file.
    """
    target_format = format_for('', to)
    if source.is_dir():
        return _plan_folder(source, target_format, from_format, output)
    if not source.exists():
        raise ValueError(f'{source}: no such file or folder')
    format_for(source, from_format)  # fails early for an unknown ending
    if output == '-':
        return [Job(source, None)]
    if output is None:
        target = source.with_suffix(target_format.extensions[0])
    elif Path(output).is_dir() or output.endswith(('/', os.sep)):  # 'newdir/': a folder
        target = Path(output) / (source.stem + target_format.extensions[0])
    else:
        target = Path(output)
    if target.resolve() == source.resolve():
        raise ValueError(f'{source} would be converted onto itself; give -o OUT')
    return [Job(source, target)]


def _plan_folder(
    folder: Path, target_format: SpecFormat, from_format: str | None, output: str | None
) -> list[Job]:
    if output == '-':
        raise ValueError("'-o -' (standard output) takes one input file, not a folder")
    sources: list[Path] = []
    for ending, name in ENDINGS.items():
        if name != target_format.name and from_format in (None, name):
            sources.extend(path for path in folder.rglob(f'*{ending}') if path.is_file())
    if not sources:
        raise ValueError(f'{folder}: no spec files to convert to {target_format.name} here')
    root = Path(output) if output is not None else folder
    jobs: dict[Path, Job] = {}
    for source in sorted(set(sources)):
        target = root / source.relative_to(folder).with_suffix(target_format.extensions[0])
        if target in jobs:
            raise ValueError(
                f'{jobs[target].source} and {source} would both be written to {target}; '
                'convert one format at a time with --from'
            )
        jobs[target] = Job(source, target)
    return list(jobs.values())


def _convert(job: Job, to: str, from_format: str | None, force: bool) -> int:
    try:
        document = load(job.source, from_format)
        text = dumps(document.spec, to, document.comments)
    except SpecError as ex:
        for problem in ex.problems:
            print(problem, file=sys.stderr)
        return 1
    except ValueError as ex:
        print(f'rbconfig convert: {job.source}: {ex}', file=sys.stderr)
        return 1
    for warning in document.warnings:
        print(warning, file=sys.stderr)
    if job.target is None:
        return write_stdout(text)
    try:
        write_atomically(job.target, text, replace=force)
    except FileExistsError:  # made since the check above
        _refuse(job.target)
        return 1
    except OSError as ex:
        print(f'rbconfig convert: cannot write {job.target}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    print(f'{job.source} -> {job.target}')
    return 0


def write_atomically(target: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` to ``target`` whole or not at all, through a temporary file beside it.

    Args:
        target: The file to write (its folder is made if missing).
        text: What to write, as UTF-8 with ``\\n`` line ends.
        replace: Replace whatever is at ``target`` (a symbolic link is replaced,
            never written through; a file keeps its permissions). Without it,
            ``target`` is created exclusively.

    Raises:
        FileExistsError: without ``replace``, when anything is at ``target``.
        OSError: when the folder cannot be made or written.
    """
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
