"""``rbconfig schema [-o FILE [--force]]``: print the JSON Schema of the spec format."""

from __future__ import annotations

import argparse

from ..schema.jsonschema import service_schema_text
from .output import write_output

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the schema to standard output, or to ``args.output``."""
    return write_output('schema', service_schema_text(), args.output, force=args.force)
