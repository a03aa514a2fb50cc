"""Build specs, modules and apps in a temporary folder for the runtime tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml
from falcon.testing import TestClient

from rbconfig.converters import build_document
from rbconfig.converters.yaml import YamlFormat
from rbconfig.document import Document
from rbconfig.runtime.app import build_app
from tests.helpers.specs import write_files

__all__ = ['make_client', 'make_document', 'write_files']


def make_document(
    folder: Path,
    spec: dict[str, Any] | str,
    files: dict[str, str | bytes] | None = None,
    name: str = 'spec.yaml',
) -> Document:
    """A Document loaded from ``folder/name`` (so errors have lines)."""
    write_files(folder, files or {})
    if isinstance(spec, dict):
        text = yaml.safe_dump({'rbconfig': 1, **spec}, sort_keys=False)
    else:
        text = textwrap.dedent(spec)
    path = folder / name
    path.write_text(text)
    return build_document(YamlFormat(), text, str(path))


def make_client(
    folder: Path,
    spec: dict[str, Any] | str,
    files: dict[str, str | bytes] | None = None,
    **options: Any,
) -> TestClient:
    """A Falcon test client for the app of ``spec``."""
    return TestClient(build_app(make_document(folder, spec, files), **options))
