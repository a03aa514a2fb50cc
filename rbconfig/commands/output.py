"""What the commands print: problems in a spec, and output files."""

from __future__ import annotations

import sys
from typing import TextIO

from ..errors import Problem

__all__ = ['print_problem', 'print_spec_error', 'write_output']


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


def write_output(text: str, output: str | None) -> int:
    """Write ``text`` to the file ``output`` ('-' or None: stdout); returns the exit status."""
    if output in (None, '-'):
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        with open(output, 'w', encoding='utf-8') as file:
            file.write(text)
    except OSError as ex:
        print(f'rbconfig: cannot write {output}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    return 0
