"""``rbconfig asyncapi SPEC [-o FILE [--force]]``: print the AsyncAPI 3.0 document of a spec."""

from __future__ import annotations

import argparse

from .output import write_export

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the AsyncAPI document of ``args.spec`` (its sockets) to ``args.output`` or stdout."""
    from ..export.asyncapi import asyncapi_document

    return write_export('asyncapi', args, asyncapi_document)
