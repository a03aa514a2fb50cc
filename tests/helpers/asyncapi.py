"""Check AsyncAPI 3.0 documents against the official JSON Schema (npm ``@asyncapi/specs``).

The package is installed by ``npm ci`` in ``tests/``. Its bundled
``schemas/3.0.0.json`` holds every definition as a sub-schema with its own
``$id`` (``http://asyncapi.com/definitions/3.0.0/info.json``...), and those refer
to each other by those URLs: a ``referencing`` registry crawled from the bundle
resolves them offline. The JSON Schema cannot say that every ``$ref`` of a
document points somewhere, nor that an operation's messages belong to its
channel (rules of the AsyncAPI specification), so :func:`asyncapi_problems`
checks those too.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from .server import ROOT

__all__ = ['SPECS_PACKAGE', 'asyncapi_problems']

#: Where npm puts the official schemas.
SPECS_PACKAGE = ROOT / 'tests' / 'node_modules' / '@asyncapi' / 'specs'


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    bundle = SPECS_PACKAGE / 'schemas' / '3.0.0.json'
    if not bundle.is_file():
        raise AssertionError(f'{bundle} is missing: run npm ci in tests/')
    schema = json.loads(bundle.read_text(encoding='utf-8'))
    registry = (Resource.from_contents(schema, default_specification=DRAFT7) @ Registry()).crawl()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


def asyncapi_problems(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` is not valid AsyncAPI 3.0 ([] when it is)."""
    problems = [
        f'{"/".join(map(str, error.absolute_path)) or "(root)"}: {error.message}'
        for error in _validator().iter_errors(document)
    ]
    problems += [
        f'{ref}: points nowhere' for ref in _refs(document) if _follow(document, ref) is None
    ]
    for name, operation in document.get('operations', {}).items():
        channel = operation['channel']['$ref']
        for message in operation.get('messages', []):
            if not message['$ref'].startswith(channel + '/messages/'):
                problems.append(f'operations/{name}: {message["$ref"]} is not of {channel}')
    return problems


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value['$ref']] if isinstance(value.get('$ref'), str) else []
        return found + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def _follow(document: dict[str, Any], ref: str) -> Any:
    if not ref.startswith('#/'):
        return None
    target: Any = document
    for part in ref[2:].split('/'):
        key = part.replace('~1', '/').replace('~0', '~')
        if not isinstance(target, dict) or key not in target:
            return None
        target = target[key]
    return target
