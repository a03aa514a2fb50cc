"""``rbconfig validate FILE|DIR...``: check specs, for people and for CI.

Exit status: 0 when every spec is valid, 1 when any is not, 2 for usage
errors (a bad option, a path that does not exist, nothing to check).

Besides the spec itself, what ``run`` would refuse at start-up is checked
from the files alone (:mod:`rbconfig.document.preflight`): no project code
runs, and only the schema, the format readers and :mod:`ast` are imported,
never the runtime (falcon, gevent, socketio), so the command starts fast on a
cold CI machine. ``--import`` also imports the handler modules and runs the
runtime's own start-up checks (:mod:`rbconfig.runtime.startup`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..converters import load
from ..document import Document
from ..document.modules import CodeIndex
from ..document.preflight import preflight
from ..errors import Problem, SpecError
from .specfiles import SPEC_ENDINGS, looks_like_spec, walk

__all__ = ['SPEC_ENDINGS', 'Report', 'find_specs', 'run']


class UsageError(Exception):
    """Bad command-line input: exit status 2."""


@dataclass
class Report:
    """What a run found: every file checked and every problem."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    skipped: int = 0

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(problem.severity == 'error' for problem in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(problem.severity == 'warning' for problem in self.problems)


def find_specs(paths: list[str], only_specs: bool = False) -> tuple[list[str], int]:
    """The spec files named by ``paths`` (files as given, folders walked).

    In folders, and for named files too with ``only_specs``, a YAML or TOML
    file counts only if it has a top-level ``rbconfig`` or ``paths`` key.

    Returns:
        The files, and how many YAML/TOML files in folders were skipped as not specs.

    Raises:
        UsageError: for a path that does not exist.
    """
    files: list[str] = []
    skipped = 0
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for found in walk(path):
                if looks_like_spec(found):
                    files.append(os.fspath(found))
                else:
                    skipped += 1
        elif path.exists():
            if only_specs and not looks_like_spec(path):
                skipped += 1
            else:
                files.append(name)
        else:
            raise UsageError(f'no such file or folder: {name}')
    return list(dict.fromkeys(files)), skipped


def check(files: list[str], import_code: bool = False) -> Report:
    """Load every file and collect its problems, those run would find at start-up too.

    Args:
        files: The spec files.
        import_code: Also import the handler modules and check them as ``run``
            does (what cannot be told from the source is then told).
    """
    report = Report(files=files)
    code = CodeIndex()  # one for all files: each handler module is parsed once
    for name in files:
        try:
            document = load(name)
        except SpecError as ex:
            report.problems.extend(sorted(ex.problems, key=_place))
            report.invalid.add(name)
            continue
        problems = document.warnings + preflight(document, code, undecided=not import_code)
        if import_code:
            problems += _imported(document, problems)
        report.problems.extend(sorted(problems, key=_place))
        if any(problem.severity == 'error' for problem in problems):
            report.invalid.add(name)
    return report


def _imported(document: Document, found: list[Problem]) -> list[Problem]:
    """The runtime's start-up problems that the static checks did not already report.

    A static error at a place (or inside it: a schema's bad keyword) is the one run
    would stop at there; the runtime's wording of it is left out.
    """
    from ..runtime.startup import startup_problems  # only now: falcon, webob, gevent...

    taken = [p.where for p in found if p.severity == 'error']
    return [
        p
        for p in startup_problems(document)
        if not any(w == p.where or w.startswith((p.where + '.', p.where + '[')) for w in taken)
    ]


def _place(problem: Problem) -> tuple[int, int]:
    return problem.line or 0, problem.column or 0


def run(args: argparse.Namespace) -> int:
    """Validate ``args.paths``; report in ``args.format``; return the exit status."""
    try:
        only_specs = bool(getattr(args, 'only_specs', False))
        files, skipped = find_specs(list(args.paths), only_specs)
        if not files and only_specs:
            print(summary(Report(skipped=skipped)))
            return 0
        if not files:
            raise UsageError(f'no spec files ({", ".join(SPEC_ENDINGS)}) found in the given paths')
    except UsageError as ex:
        print(f'rbconfig validate: error: {ex}', file=sys.stderr)
        return 2
    report = check(files, bool(getattr(args, 'import_code', False)))
    report.skipped = skipped
    out = sys.stdout
    if args.format == 'json':
        _json(report, out)
    elif args.format == 'github':
        _github(report, out)
    else:
        _human(report, out, _use_color(getattr(args, 'color', 'auto'), out))
    return 1 if report.invalid else 0


# --- output -------------------------------------------------------------------------------


def summary(report: Report) -> str:
    """One line: how many files, how many invalid, how many errors and warnings."""
    count = len(report.files)
    text = f'{count} spec file{"s" if count != 1 else ""} checked'
    if report.invalid:
        text += f', {len(report.invalid)} invalid'
    else:
        text += ', all valid'
    parts = []
    if report.errors:
        parts.append(f'{report.errors} error{"s" if report.errors != 1 else ""}')
    if report.warnings:
        parts.append(f'{report.warnings} warning{"s" if report.warnings != 1 else ""}')
    if parts:
        text += f' ({", ".join(parts)})'
    if report.skipped:
        text += f'; {report.skipped} other YAML/TOML file{"s" if report.skipped != 1 else ""}'
        text += ' skipped'
    return text


def _use_color(choice: str, out: TextIO) -> bool:
    if choice == 'always':
        return True
    if choice == 'never' or os.environ.get('NO_COLOR'):
        return False
    return bool(getattr(out, 'isatty', lambda: False)())


_RED, _YELLOW, _GREEN, _BOLD, _RESET = '\033[31m', '\033[33m', '\033[32m', '\033[1m', '\033[0m'


def _human(report: Report, out: TextIO, color: bool) -> None:
    def paint(code: str, text: str) -> str:
        return f'{code}{text}{_RESET}' if color else text

    for problem in report.problems:
        head = f'{problem.file_position}:'
        kind = f' {paint(_YELLOW, "warning:")}' if problem.severity == 'warning' else ''
        code = _YELLOW if problem.severity == 'warning' else _RED
        where = f' {paint(code, problem.where + ":")}' if problem.where else ''
        print(f'{paint(_BOLD, head)}{kind}{where} {problem.message}', file=out)
    line = summary(report)
    print(paint(_RED if report.invalid else _GREEN, line), file=out)


def _json(report: Report, out: TextIO) -> None:
    data = {
        'valid': not report.invalid,
        'files': [{'file': name, 'valid': name not in report.invalid} for name in report.files],
        'problems': [problem.to_dict() for problem in report.problems],
        'summary': summary(report),
    }
    print(json.dumps(data, indent=2, ensure_ascii=False), file=out)


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')
    if property_value:
        text = text.replace(':', '%3A').replace(',', '%2C')
    return text


def _github(report: Report, out: TextIO) -> None:
    for problem in report.problems:
        props = [f'file={_github_escape(problem.file, True)}']
        if problem.line is not None:
            props.append(f'line={problem.line}')
        if problem.column is not None:
            props.append(f'col={problem.column}')
        props.append(f'title={_github_escape(problem.where or "rbconfig validate", True)}')
        message = _github_escape(problem.message)
        print(f'::{problem.severity} {",".join(props)}::{message}', file=out)
    print(summary(report), file=out)
