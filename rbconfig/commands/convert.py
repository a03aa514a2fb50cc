"""``rbconfig convert IN --to yaml|toml|rbr [-o OUT] [--from FMT] [--force]``.

Converts one spec file, or every spec under a folder (the output mirrors the
folder tree; which files are specs is decided as ``rbconfig validate`` does,
:mod:`.specfiles`). No spec is converted onto itself, nor onto another input
(status 2). Every file is written whole or not at all: to a temporary file
beside it (``.NAME.rbconfig-PID.tmp``), then moved into place, so a reader
never sees half a file. Without ``--force`` it is moved with a hard link,
which fails if anything is there, even a dangling symbolic link or a file made
after the first check: nothing is ever overwritten unless told to. A temporary
file left by a killed conversion is removed by the next one writing to that
folder (its process is gone). A named pipe or character device as the
output (``-o /dev/null``) is written into, never replaced
(:func:`~.output.write_atomically`).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..converters import ENDINGS, SpecFormat, format_for, load, write_document
from ..errors import SpecError
from .output import identities, is_stream, onto_input, write_atomically, write_stdout
from .specfiles import looks_like_spec, walk

__all__ = ['Job', 'Plan', 'plan', 'run', 'write_atomically']


@dataclass(frozen=True)
class Job:
    """One conversion: a spec file and where its converted text goes (None: stdout)."""

    source: Path
    target: Path | None


@dataclass
class Plan:
    """The conversions to do, and how many YAML/TOML files of a folder are not specs."""

    jobs: list[Job] = field(default_factory=list)
    skipped: int = 0


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.to``; returns the exit status (0, 1 on failure, 2)."""
    try:
        work = plan(Path(args.input), args.to, args.from_format, args.output)
    except ValueError as ex:
        print(f'rbconfig convert: {ex}', file=sys.stderr)
        return 1
    sources = identities(job.source for job in work.jobs)  # stated once for every target
    refusals = [onto_input(job.target, sources) for job in work.jobs if job.target is not None]
    if any(refusals):
        for refusal in filter(None, refusals):
            print(
                f'rbconfig convert: error: {refusal}: converting would overwrite it; give -o OUT',
                file=sys.stderr,
            )
        return 2
    existing = [job.target for job in work.jobs if job.target is not None and _taken(job.target)]
    if existing and not args.force:
        for target in existing:
            _refuse(target)
        return 1
    status = 0
    for job in work.jobs:
        status = max(status, _convert(job, args.to, args.from_format, args.force))
    if work.skipped:
        print(_skipped(work.skipped))
    return status


def _skipped(count: int) -> str:
    return f'{count} other YAML/TOML file{"s" if count != 1 else ""} skipped (not specs)'


def _taken(target: Path) -> bool:
    """Anything at ``target``, even a symbolic link to nothing; not a pipe or a device.

    A named pipe or a character device (``/dev/null``) is written into, not
    overwritten, so it needs no ``--force``.
    """
    return os.path.lexists(target) and not is_stream(target)


def _refuse(target: Path) -> None:
    print(f'rbconfig convert: {target} exists; use --force to overwrite it', file=sys.stderr)


def plan(source: Path, to: str, from_format: str | None, output: str | None) -> Plan:
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
        return Plan([Job(source, None)])
    if output is None:
        target = source.with_suffix(target_format.extensions[0])
    elif Path(output).is_dir() or output.endswith(('/', os.sep)):  # 'newdir/': a folder
        target = Path(output) / (source.stem + target_format.extensions[0])
    else:
        target = Path(output)
    return Plan([Job(source, target)])


def _plan_folder(
    folder: Path, target_format: SpecFormat, from_format: str | None, output: str | None
) -> Plan:
    if output == '-':
        raise ValueError("'-o -' (standard output) takes one input file, not a folder")
    sources: list[Path] = []
    skipped = 0
    for path in walk(folder):  # the files validate would walk, and decided the same way
        name = ENDINGS[path.suffix.lower()]
        if name == target_format.name or from_format not in (None, name) or not path.is_file():
            continue
        if looks_like_spec(path):
            sources.append(path)
        else:
            skipped += 1
    if not sources:
        also = f'; {_skipped(skipped)}' if skipped else ''
        raise ValueError(f'{folder}: no spec files to convert to {target_format.name} here{also}')
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
    return Plan(list(jobs.values()), skipped)


def _convert(job: Job, to: str, from_format: str | None, force: bool) -> int:
    try:
        document = load(job.source, from_format)
        text = write_document(document, to)  # what it cannot say: at its file:line:col
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
