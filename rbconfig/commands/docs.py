"""``rbconfig docs SPEC [-o FILE [--force]]``: write the HTML documentation page of a spec."""

from __future__ import annotations

import argparse

from .output import print_spec_error, write_output

__all__ = ['run']


def run(args: argparse.Namespace) -> int:
    """Write the page ``/__doc__`` would show for ``args.spec``."""
    from ..converters import load
    from ..errors import SpecError
    from ..export.docpage import render_doc_page

    try:
        page = render_doc_page(load(args.spec))
    except SpecError as ex:
        print_spec_error(ex)
        return 1
    return write_output('docs', page, args.output, inputs=[args.spec], force=args.force)
