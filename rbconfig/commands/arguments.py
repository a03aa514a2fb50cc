"""Argument types shared by the command lines (``rbconfig``, ``rbr-check``).

A bad argument is a usage error: argparse prints ``PROG: error: ...`` and exits 2.
"""

from __future__ import annotations

import argparse
import os

__all__ = ['existing_path', 'path_text']


def path_text(text: str) -> str:
    """A file or folder name; an empty one is a usage error, not the current folder.

    In CI an empty name is an unset variable (``rbconfig validate "$SPECS"``):
    checking or writing another tree than meant must not pass unseen.
    """
    if not text:
        raise argparse.ArgumentTypeError("an empty path ''; is a variable unset?")
    return text


def existing_path(text: str) -> str:
    """The name of a file or folder that is there: what a command reads.

    A missing one is a usage error (almost always a typo in a script), said in
    one line, as ``rbconfig validate`` says it.
    """
    if not os.path.exists(path_text(text)):
        raise argparse.ArgumentTypeError(f'no such file or folder: {text}')
    return text
