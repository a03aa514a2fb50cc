"""YAML specs: strict safe loading with exact positions, and a hand-written emitter.

Loading goes through PyYAML's composer only (the C one when libyaml is there),
so no tag can build a Python object. The node graph is then turned into plain
data here, which lets us record the line and column of every key and list
item, refuse duplicate keys (PyYAML would keep the last one silently) and
measure what aliases expand to before expanding them.
"""

from __future__ import annotations

from typing import ClassVar

from ...document import Comments, Source
from ...schema import Spec
from .._text import SCHEMA_URL
from ..base import SpecFormat

__all__ = ['SCHEMA_COMMENT', 'YamlFormat']

#: Written files start with this comment, which points editors at the JSON Schema.
SCHEMA_COMMENT = '# yaml-language-server:'


class YamlFormat(SpecFormat):
    """The main authoring format."""

    name: ClassVar[str] = 'yaml'
    extensions: ClassVar[tuple[str, ...]] = ('.yaml', '.yml')

    #: The schema the ``# yaml-language-server: $schema=`` line of written files points at.
    schema_url: str = SCHEMA_URL

    def read(self, text: str, file: str) -> Source:
        """Parse YAML text into plain data with the position of every key and item.

        Problems the reader can go on after (duplicate keys, tags) come back in
        ``Source.problems``, to be reported with the model's.

        Raises:
            SpecError: for syntax errors, alias bombs and nesting too deep.
        """
        from .reader import read_source

        return read_source(text, file)

    def render(self, spec: Spec, comments: Comments) -> str:
        """Render ``spec`` as block-style YAML, keys in each model's order."""
        from .writer import write_spec

        return write_spec(spec, comments, self.schema_url)
