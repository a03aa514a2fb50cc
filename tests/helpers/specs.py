"""Write specs and the modules beside them into a (temporary) folder, for any test."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from .server import ROOT

__all__ = ['app_specs', 'write_files', 'write_spec']


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``files`` (relative name: text, dedented, or bytes) under ``folder``."""
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content))


def write_spec(
    folder: Path, name: str, text: str, modules: Mapping[str, str] | None = None
) -> Path:
    """Write the spec ``folder/name`` and its Python ``modules`` (name: source); its path."""
    write_files(folder, {f'{module}.py': source for module, source in (modules or {}).items()})
    write_files(folder, {name: text})
    return folder / name


def app_specs() -> list[Path]:
    """Every spec under ``apps/`` (YAML, TOML, RBR), sorted; npm's folders left out."""
    return sorted(
        path
        for pattern in ('*.yaml', '*.yml', '*.toml', '*.rbr')
        for path in (ROOT / 'apps').rglob(pattern)
        if 'node_modules' not in path.parts
    )
