"""``rbr-check FILE``: RedBarrel's syntax checker, kept for old habits and scripts.

Like RedBarrel's ``rbr-check`` it prints ``Syntax OK.`` and exits 0, or
``Syntax Error.`` and exits 1 (2 for a usage error). The reasons, each as
``file:line:col: message``, go to standard error first. The whole file is
checked, as ``rbconfig validate`` would: syntax, then the model's rules.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .arguments import existing_path

__all__ = ['main']

#: Exit statuses, as RedBarrel's rbr-check used them (argparse exits 2 on bad usage).
OK, FAILED = 0, 1


def main(argv: Sequence[str] | None = None) -> int:
    """Check the RBR file named in ``argv``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog='rbr-check', description='Checks the syntax of a RBR file.'
    )
    parser.add_argument('path', type=existing_path, help='Path of the RBR file')
    parser.add_argument('--verbose', action='store_true', help='also say what the file defines')
    try:
        args = parser.parse_args(argv)
    except SystemExit as ex:  # argparse exits 2 on usage errors, 0 for --help
        return int(ex.code or 0)

    from ..converters import load
    from ..errors import SpecError

    try:
        document = load(args.path, 'rbr')
    except SpecError as ex:
        for problem in ex.problems:
            print(problem, file=sys.stderr)
        print('Syntax Error.')
        return FAILED
    for warning in document.warnings:
        print(warning, file=sys.stderr)
    if args.verbose:
        spec = document.spec
        print(
            f'{args.path}: {len(spec.paths)} paths, {len(spec.globals)} globals, '
            f'{len(spec.types)} types, {len(spec.sockets)} socket handlers'
        )
    print('Syntax OK.')
    return OK
