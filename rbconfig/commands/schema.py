"""``rbconfig schema [-o FILE]``: print the JSON Schema of the spec format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..schema.jsonschema import service_schema_text

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the schema to standard output, or to ``args.output``."""
    text = service_schema_text()
    if not args.output or args.output == '-':
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding='utf-8')
    except OSError as ex:
        print(f'rbconfig schema: cannot write {args.output}: {ex.strerror}', file=sys.stderr)
        return 1
    return 0
