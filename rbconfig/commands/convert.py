"""``rbconfig convert IN --to yaml|toml|rbr [-o OUT] [--from FMT] [--force]``.

Converts one spec file, or every spec under a folder (the output mirrors the
folder tree). Existing files are never overwritten without ``--force``, and
every file is written atomically: to a temporary file in the same folder,
then renamed over the target, so a reader never sees half a file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..converters import ENDINGS, SpecFormat, dumps, format_for, load
from ..errors import SpecError

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
    existing = [job.target for job in jobs if job.target is not None and job.target.exists()]
    if existing and not args.force:
        for target in existing:
            print(
                f'rbconfig convert: {target} exists; use --force to overwrite it', file=sys.stderr
            )
        return 1
    status = 0
    for job in jobs:
        status = max(status, _convert(job, args.to, args.from_format))
    return status


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
    elif Path(output).is_dir():
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
    sources = []
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


def _convert(job: Job, to: str, from_format: str | None) -> int:
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
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        write_atomically(job.target, text)
    except OSError as ex:
        print(f'rbconfig convert: cannot write {job.target}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    print(f'{job.source} -> {job.target}')
    return 0


def write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a rename.

    Raises:
        OSError: when the folder cannot be created or written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f'.{target.name}.', suffix='.tmp', dir=target.parent
    )
    try:
        with os.fdopen(handle, 'w', encoding='utf-8', newline='\n') as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        mode = (target.stat().st_mode & 0o777) if target.exists() else (0o666 & ~umask)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
