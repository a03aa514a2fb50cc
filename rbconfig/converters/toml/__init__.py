"""TOML specs: ``tomli`` (stdlib ``tomllib``, compiled) for reading, a small hand-written writer.

TOML parsers keep no positions, so after the parser has accepted the text a
light scanner walks it once more to note the line and column of every key,
table header and array item (for error messages and comments). TOML has no
null and only text keys: status codes are written as ``200 = "OK"`` and read
back as numbers by the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ...document import Comments, Source
from ...schema import Spec
from .._text import SCHEMA_URL
from ..base import SpecFormat

__all__ = ['SCHEMA_COMMENT', 'TomlFormat']

#: Written files start with this comment, which points editors at the JSON Schema.
SCHEMA_COMMENT = '#:schema'


class TomlFormat(SpecFormat):
    """TOML, for those who prefer it to YAML."""

    name: ClassVar[str] = 'toml'
    extensions: ClassVar[tuple[str, ...]] = ('.toml',)
    text_keys_only: ClassVar[str | None] = 'TOML keys are text'
    refused_values: ClassVar[Mapping[type, str]] = {
        type(None): 'nothing, which TOML cannot say (it has no null); leave the key out, '
        'or keep this spec in YAML',
    }

    #: The schema the ``#:schema`` line of written files points at.
    schema_url: str = SCHEMA_URL

    def read(self, text: str, file: str) -> Source:
        """Parse TOML text into plain data with the line of every key it can find.

        Raises:
            SpecError: for TOML syntax errors, with their line and column.
        """
        from .reader import read_source

        return read_source(text, file)

    def render(self, spec: Spec, comments: Comments) -> str:
        """Render ``spec`` as TOML: simple keys first, then one table per section.

        Raises:
            ValueError: when the spec holds a null (in an example or a schema),
                which TOML cannot say.
        """
        from .writer import write_spec

        return write_spec(spec, comments, self.schema_url)
