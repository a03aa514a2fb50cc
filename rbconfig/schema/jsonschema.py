"""The JSON Schema of the spec format, for editors and other tools.

The schema is generated from the models, so it cannot drift from what
``rbconfig validate`` accepts; ``schemas/service.schema.json`` is a committed
copy (a test fails when it is stale). Cross rules (known type names, unique
routes) and a few value checks (regexes in URLs, location targets) are only
made by ``rbconfig validate``.
"""

from __future__ import annotations

import json
from typing import Any

from .spec import Spec

__all__ = ['JSON_SCHEMA_DIALECT', 'SCHEMA_URL', 'service_schema', 'service_schema_text']

#: Where the published schema lives: its ``$id``, and what written specs point at.
SCHEMA_URL = 'https://raw.githubusercontent.com/rbconfig/rbconfig/main/schemas/service.schema.json'

JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'


def service_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a service spec."""
    generated = Spec.model_json_schema()
    generated.pop('title', None)
    return {
        '$schema': JSON_SCHEMA_DIALECT,
        '$id': SCHEMA_URL,
        'title': 'rbconfig service spec',
        **generated,
    }


def service_schema_text() -> str:
    """:func:`service_schema` as the text of ``schemas/service.schema.json``."""
    return json.dumps(service_schema(), indent=2, ensure_ascii=False) + '\n'
