"""Which files in a folder are specs: one rule for ``validate`` and ``convert``.

A folder holds more YAML and TOML than specs (CI configs, ``pyproject.toml``,
``docker-compose.yml``): a YAML or TOML file counts as a spec when it has a
top-level ``rbconfig`` or ``paths`` key; ``.rbr`` files always do. The test
must not miss a spec (CI would pass an invalid one unseen), so it reads the
file's own syntax when a quick look at the text cannot tell: a byte-order
mark, a quoted key (``"rbconfig": 1``) and flow-style YAML
(``{rbconfig: 1}``) all count. The quick look settles the usual spec (the key
at the start of a line) and any file that does not even contain the words.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from ..converters import ENDINGS
from ..document.files import read_regular

__all__ = ['SPEC_ENDINGS', 'looks_like_spec', 'walk']

#: File endings a folder walk picks up (in any case: ``UP.RBR`` too, as loading accepts it).
SPEC_ENDINGS = tuple(ENDINGS)

_SKIPPED_FOLDERS = {'node_modules', '__pycache__', 'venv'}
_KEYS = ('rbconfig', 'paths')
_KEY = r"""(?:rbconfig|paths|"rbconfig"|"paths"|'rbconfig'|'paths')"""
# A block-style YAML key at the start of a line: at the top level (a deeper key is indented).
_YAML_KEY = re.compile(rf'^{_KEY}[ \t]*:(?:[ \t\r]|$)', re.MULTILINE)
# TOML: a key of the root table (before the first table header), or a [paths...] table.
_TOML_TABLE = re.compile(r'^[ \t]*\[', re.MULTILINE)
_TOML_KEY = re.compile(rf'^[ \t]*{_KEY}[ \t]*[=.]', re.MULTILINE)
_TOML_PATHS_TABLE = re.compile(r"""^[ \t]*\[\[?[ \t]*(?:paths|"paths"|'paths')[ \t]*[.\]]""", re.M)


def walk(folder: Path) -> Iterator[Path]:
    """The files under ``folder`` with a spec ending, in order, skipping hidden and tool folders."""
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(
            name for name in folders if not name.startswith('.') and name not in _SKIPPED_FOLDERS
        )
        for name in sorted(names):
            if not name.startswith('.') and name.lower().endswith(SPEC_ENDINGS):
                yield Path(root, name)


def looks_like_spec(path: Path) -> bool:
    """Whether ``path`` is a spec: ``.rbr``, or YAML/TOML with a top-level rbconfig or paths key.

    A file that cannot be read as a regular file (a FIFO, a device, too large)
    counts, so that loading it reports why.
    """
    ending = path.suffix.lower()
    if ENDINGS.get(ending) == 'rbr':
        return True
    try:
        text = read_regular(path).decode('utf-8-sig', errors='replace')
    except OSError:
        return True
    if not any(key in text for key in _KEYS):
        return False  # the usual CI config or pyproject.toml: no need to parse it
    if ENDINGS.get(ending) == 'yaml':
        return _yaml_has_key(text)
    if ENDINGS.get(ending) == 'toml':
        return _toml_has_key(text)
    return _yaml_has_key(text) or _toml_has_key(text)  # a named file of another ending


def _yaml_has_key(text: str) -> bool:
    """A top-level rbconfig or paths key in any document of ``text``, in any YAML style."""
    if _YAML_KEY.search(text):
        return True
    import yaml  # only now: most folders are settled by the text alone

    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    # Read the parser's events, building nothing, and stop at the first such key; a syntax
    # error before one means the file does not say it is a spec (a Helm template, say).
    stack: list[list[int]] = []  # per open collection: [is a mapping, children seen]
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                if (
                    len(stack) == 1
                    and stack[0][0] == 1  # the root is a mapping
                    and stack[0][1] % 2 == 0  # and this is a key of it, not a value
                    and isinstance(event, yaml.ScalarEvent)
                    and event.value in _KEYS
                ):
                    return True
                if stack:
                    stack[-1][1] += 1
                if isinstance(event, yaml.CollectionStartEvent):
                    stack.append([int(isinstance(event, yaml.MappingStartEvent)), 0])
            elif isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
    except yaml.YAMLError:
        return False
    return False


def _toml_has_key(text: str) -> bool:
    """A top-level rbconfig or paths key in the TOML ``text``."""
    table = _TOML_TABLE.search(text)
    root = text[: table.start()] if table else text
    if _TOML_KEY.search(root) or _TOML_PATHS_TABLE.search(text):
        return True
    # The text alone is not sure (a multi-line array before the key, say): parse it.
    try:
        return any(key in tomllib.loads(text) for key in _KEYS)
    except tomllib.TOMLDecodeError:
        return False
