"""Body schemas: validate JSON bodies against a JSON Schema or a Pydantic model.

A request body sent with a ``Content-Type`` that is not JSON answers **415**
(Unsupported Media Type; no ``Content-Type`` is taken as JSON); a body that is
not JSON answers **400**; JSON that does not match the schema answers **422**
(Unprocessable Content). Both are RFC 9457
problems whose ``errors`` member lists each failing field as
``{"pointer": "#/age", "detail": "..."}`` (the shape of RFC 9457's own
example). A response that does not match its schema answers 500 and logs why.

This module also builds example bodies from a schema (for ``--mock``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon
import falcon.media
import jsonschema
import pydantic

from ..document import Document
from ..document.resolve import resolve
from ..errors import Loc, StartupError
from ..schema import BodySection
from . import json_text
from .problems import HTTPProblem

__all__ = [
    'BodySchema',
    'JSONMedia',
    'compile_schema',
    'example_from_schema',
    'is_json_media',
    'parse_json_body',
    'pointer',
]


def pointer(path: Any) -> str:
    """A JSON pointer fragment (``#/a/0``) for a sequence of keys and indexes."""
    parts = [str(part).replace('~', '~0').replace('/', '~1') for part in path]
    return '#/' + '/'.join(parts) if parts else '#'


def is_json_media(content_type: str | None) -> bool:
    """Whether a body sent as ``content_type`` is JSON: ``application/json``, any
    ``+json`` type, or no type at all."""
    media = (content_type or 'application/json').partition(';')[0].strip().lower()
    return media == 'application/json' or media.endswith('+json')


def parse_json_body(raw: bytes) -> Any:
    """The request body parsed as JSON.

    Raises:
        HTTPProblem: 400 when it is not JSON.
    """
    try:
        return json_text.loads(raw)
    except ValueError as ex:
        raise HTTPProblem(400, f'The request body is not valid JSON: {ex}') from None


class JSONMedia(falcon.media.BaseHandler):
    """Falcon's media handler for JSON request bodies: standard JSON, as checks read it.

    Installed on the app's ``req_options`` so that ``req.get_media()`` refuses what
    :func:`parse_json_body` refuses, with the same 400 problem.
    """

    def deserialize(self, stream: Any, content_type: str | None, content_length: int | None) -> Any:
        """The body read from ``stream`` as JSON (Falcon's media handler interface)."""
        data = stream.read()
        if not data:
            raise falcon.MediaNotFoundError('JSON')
        return parse_json_body(data)


class BodySchema:
    """A compiled body schema: ``validate(data)`` returns the value or raises.

    Attributes:
        json_schema: The JSON Schema (inline, or the Pydantic model's).
        model: The Pydantic type, when the spec names one.
    """

    def __init__(self, json_schema: dict[str, Any], model: Any | None = None) -> None:
        self.json_schema = json_schema
        self.model = model
        if model is not None:
            adapter = pydantic.TypeAdapter(model)
            self._check: Callable[[Any], tuple[Any, list[dict[str, Any]]]] = _pydantic_check(
                adapter
            )
        else:
            cls = jsonschema.validators.validator_for(
                json_schema, default=jsonschema.Draft202012Validator
            )
            validator = cls(json_schema, format_checker=cls.FORMAT_CHECKER)
            self._check = _jsonschema_check(validator)

    def errors(self, data: Any) -> tuple[Any, list[dict[str, Any]]]:
        """(the validated value, every failure as ``{'pointer', 'detail'}``)."""
        return self._check(data)

    def validate_request(self, raw: bytes, content_type: str | None = None) -> Any:
        """Parse and validate a request body sent as ``content_type``.

        Raises:
            HTTPProblem: 415 when it is sent as another type than JSON, 400 when
                it is not JSON, 422 when it does not match.
        """
        if not is_json_media(content_type):
            media = (content_type or '').partition(';')[0].strip()
            raise HTTPProblem(
                415, f'The request body must be sent as application/json, not as {media}.'
            )
        value, errors = self._check(parse_json_body(raw))
        if errors:
            raise HTTPProblem(422, 'The request body does not match its schema.', errors=errors)
        return value


def _jsonschema_check(validator: Any) -> Callable[[Any], tuple[Any, list[dict[str, Any]]]]:
    def check(data: Any) -> tuple[Any, list[dict[str, Any]]]:
        try:
            found = sorted(
                validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
            )
        except RecursionError:  # jsonschema recurses a few frames per level of the data
            return data, [{'pointer': '#', 'detail': 'nested too deeply to be checked'}]
        errors = [
            {'pointer': pointer(error.absolute_path), 'detail': error.message} for error in found
        ]
        return data, errors

    return check


def _pydantic_check(
    adapter: pydantic.TypeAdapter[Any],
) -> Callable[[Any], tuple[Any, list[dict[str, Any]]]]:
    def check(data: Any) -> tuple[Any, list[dict[str, Any]]]:
        try:
            return adapter.validate_python(data), []
        except pydantic.ValidationError as ex:
            return data, [
                {
                    'pointer': pointer(error['loc']),
                    'detail': _OBJECT.get(error['type'], error['msg']),
                }
                for error in ex.errors(include_url=False)
            ]

    return check


#: Pydantic's words for a value that is not an object name the Python class
#: ("...or instance of Person"): the client is told in JSON's terms.
_OBJECT = dict.fromkeys(
    ('model_type', 'model_attributes_type', 'dataclass_type', 'dataclass_exact_type'),
    'Input should be an object',
)


def compile_schema(document: Document, loc: Loc, section: BodySection | None) -> BodySchema | None:
    """The schema of a body section, checked at start-up.

    Raises:
        StartupError: the JSON Schema is invalid, or the location is not a type.
    """
    if section is None or section.schema_ is None:
        return None
    where = (*loc, 'schema')
    schema = section.schema_
    if isinstance(schema, dict):
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as ex:
            path = pointer(ex.absolute_path)
            raise StartupError.at(
                document, where, f'invalid JSON Schema at {path}: {ex.message}'
            ) from None
        return BodySchema(schema)
    model = resolve(document, where, schema)
    try:
        json_schema = pydantic.TypeAdapter(model).json_schema()
    except Exception as ex:
        raise StartupError.at(
            document, where, f'{schema} is not a Pydantic model or type: {type(ex).__name__}: {ex}'
        ) from ex
    return BodySchema(json_schema, model)


_FORMATS = {
    'date-time': '2026-01-01T00:00:00Z',
    'date': '2026-01-01',
    'email': 'user@example.com',
    'uri': 'https://example.com/',
    'uuid': '00000000-0000-4000-8000-000000000000',
}

_GIVEN = object()


def example_from_schema(
    schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0
) -> Any:
    """A plausible value for ``schema`` (examples, defaults, enums first)."""
    root = schema if root is None else root
    if depth > 8 or not isinstance(schema, dict):
        return None
    ref = schema.get('$ref')
    if isinstance(ref, str) and ref.startswith('#/'):
        return example_from_schema(_follow(root, ref), root, depth + 1)
    given = _given_example(schema)
    if given is not _GIVEN:
        return given
    for key in ('allOf', 'anyOf', 'oneOf'):
        if schema.get(key):
            return example_from_schema(schema[key][0], root, depth + 1)
    return _example_of_type(schema, root, depth)


def _follow(root: dict[str, Any], ref: str) -> Any:
    target: Any = root
    for part in ref[2:].split('/'):
        key = part.replace('~1', '/').replace('~0', '~')
        target = target.get(key, {}) if isinstance(target, dict) else {}
    return target


def _given_example(schema: dict[str, Any]) -> Any:
    for key in ('example', 'default', 'const'):
        if key in schema:
            return schema[key]
    if schema.get('examples'):
        return schema['examples'][0]
    if schema.get('enum'):
        return schema['enum'][0]
    return _GIVEN


def _example_of_type(schema: dict[str, Any], root: dict[str, Any], depth: int) -> Any:
    kind = schema.get('type')
    if isinstance(kind, list):
        kind = next((k for k in kind if k != 'null'), kind[0] if kind else None)
    if kind == 'object' or (kind is None and 'properties' in schema):
        return {
            name: example_from_schema(sub, root, depth + 1)
            for name, sub in schema.get('properties', {}).items()
        }
    if kind == 'array':
        return [example_from_schema(schema.get('items', {}), root, depth + 1)]
    if kind == 'string':
        return _FORMATS.get(schema.get('format', ''), 'string')
    if kind == 'integer':
        return int(schema.get('minimum', 0))
    if kind == 'number':
        return float(schema.get('minimum', 0))
    if kind == 'boolean':
        return True
    return None
