"""What the commands print: problems in a spec, and output files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from ..errors import Problem

__all__ = ['print_problem', 'print_spec_error', 'write_export', 'write_output', 'write_stdout']


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
        return write_stdout(text)
    try:
        with open(output, 'w', encoding='utf-8') as file:
            file.write(text)
    except OSError as ex:
        print(f'rbconfig: cannot write {output}: {ex.strerror or ex}', file=sys.stderr)
        return 1
    return 0


def write_export(spec_path: str, output: str | None, export: Callable[..., dict[str, Any]]) -> int:
    """Load ``spec_path``, write ``export(document, warnings=...)`` as JSON; the exit status.

    For ``rbconfig openapi`` and ``rbconfig asyncapi``: an invalid spec prints its
    problems (status 1); a ``python:`` model that does not import is a warning
    line, and the document is written without its schema.
    """
    from ..converters import load
    from ..errors import SpecError

    warnings: list[Problem] = []
    try:
        document = export(load(spec_path), warnings=warnings)
    except SpecError as ex:
        print_spec_error(ex)
        return 1
    for warning in warnings:
        print_problem(warning)
    return write_output(json.dumps(document, indent=2, ensure_ascii=False) + '\n', output)


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
