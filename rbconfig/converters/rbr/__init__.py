"""RBR, RedBarrel's service-description language: read every real file, write it back.

Reading parses with lark (``rbr.lark``) and maps RBR's statements to the
canonical model (docs/rbr.md has the table). Writing renders a spec the way
RedBarrel's own files look; whatever RBR cannot say natively travels in an
``x-rbconfig`` field as JSON, so every spec survives a round trip.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import ClassVar

from ...document import Comments, Source
from ...schema import Spec
from ..base import SpecFormat

__all__ = ['RbrFormat']


class RbrFormat(SpecFormat):
    """Legacy RedBarrel ``.rbr`` files."""

    name: ClassVar[str] = 'rbr'
    extensions: ClassVar[tuple[str, ...]] = ('.rbr',)
    text_keys_only: ClassVar[str | None] = 'RBR carries such data as JSON, whose keys are text'
    refused_values: ClassVar[Mapping[type, str]] = {
        kind: f'{what}, which RBR cannot carry (it writes such data as JSON, which has no '
        'dates or times); quote it to make it text, or keep this spec in YAML or TOML'
        for kind, what in (
            (datetime.date, 'a date'),
            (datetime.datetime, 'a date and time'),
            (datetime.time, 'a time of day'),
        )
    }

    def read(self, text: str, file: str) -> Source:
        """Parse RBR text into plain data, positions, own-line comments and warnings.

        Raises:
            SpecError: for syntax errors and statements the model cannot take.
        """
        from .reader import read_source

        return read_source(text, file)

    def render(self, spec: Spec, comments: Comments) -> str:
        """Render ``spec`` as RBR, formatted like RedBarrel's own files."""
        from .writer import write_spec

        return write_spec(spec, comments)
