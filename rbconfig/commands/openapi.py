"""``rbconfig openapi SPEC [-o FILE]``: print the OpenAPI 3.1 document of a spec."""

from __future__ import annotations

import argparse
import json

from .output import print_problem, print_spec_error, write_output

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the OpenAPI document of ``args.spec`` to ``args.output`` or stdout."""
    from ..converters import load
    from ..errors import Problem, SpecError
    from ..export.openapi import openapi_document

    warnings: list[Problem] = []
    try:
        document = openapi_document(load(args.spec), warnings=warnings)
    except SpecError as ex:
        print_spec_error(ex)
        return 1
    for warning in warnings:  # models that do not import: documented without a schema
        print_problem(warning)
    return write_output(json.dumps(document, indent=2, ensure_ascii=False) + '\n', args.output)
