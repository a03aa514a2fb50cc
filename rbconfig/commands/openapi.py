"""``rbconfig openapi SPEC [-o FILE [--force]]``: print the OpenAPI 3.1 document of a spec."""

from __future__ import annotations

import argparse

from .output import write_export

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the OpenAPI document of ``args.spec`` to ``args.output`` or stdout."""
    from ..export.openapi import openapi_document

    return write_export('openapi', args, openapi_document)
