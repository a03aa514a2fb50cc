"""OpenAPI 3.1 for the HTTP paths of a spec: a pure function of the model.

Nothing here imports falcon or gevent, so ``rbconfig openapi`` stays light.
``python:`` body schemas (Pydantic models) are imported relative to the spec's
folder, the way the runtime imports handlers (see :mod:`.schemas`).

What maps to what:

- ``root`` + ``url`` → the path; ``{name:regex}`` → ``{name}`` and a path
  parameter whose schema has ``pattern: ^(?:regex)$``;
- each method → an operation (``operationId`` is the path's name, with the
  method appended when a path has several); the first line of the
  description → ``summary``;
- header checks → header parameters (``Authorization`` validators → an
  ``apiKey`` security scheme, since OpenAPI ignores an ``Authorization``
  parameter);
- the request body's schema and type checks → ``requestBody``;
- every status the runtime can answer (:func:`~.answers.path_answers`: the
  spec's ``status`` tables, check statuses, 400/413/415/422 of body limits and
  schemas, handler failures...) → responses; those the runtime writes itself
  are ``application/problem+json`` (``components.schemas.Problem``) with an
  ``X-Request-Id`` header; a proxy's relayed answers → ``default``;
- the methods a URL does not take (405, with ``Allow``) → the path item's
  ``x-rbconfig-other-methods`` (OpenAPI describes only the operations there are);
- ``set Content-Type`` → the success content type, other ``set`` headers →
  response headers;
- ``x-`` extensions of the spec, ``meta``, paths and bodies are carried over.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from typing import Any

from ..document import Document
from ..errors import Loc, Problem, redact
from ..schema import (
    BodySection,
    Path,
    Placeholder,
    Spec,
    TypeCheck,
    ValidatorCheck,
    full_url,
    parse_location,
    parse_url_template,
)
from .answers import METHOD_NOT_ALLOWED, RELAYED, allowed_methods, path_answers
from .schemas import Mode, SchemaSource
from .words import info_object, summary

__all__ = ['OPENAPI_VERSION', 'PROBLEM_SCHEMA', 'openapi_document', 'openapi_path']

OPENAPI_VERSION = '3.1.0'

#: Methods that are OpenAPI operations (CONNECT is not).
_OPERATIONS = ('GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE')

_PROBLEM_JSON = 'application/problem+json'

#: The body of every error the runtime writes (RFC 9457, see rbconfig.runtime.problems).
PROBLEM_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'description': 'An RFC 9457 problem. Extension members may follow (max_body on a 413).',
    'required': ['type', 'title', 'status', 'request_id'],
    'properties': {
        'type': {'type': 'string', 'description': 'Always about:blank.'},
        'title': {'type': 'string', 'description': "The status's reason phrase."},
        'status': {'type': 'integer', 'minimum': 400, 'maximum': 599},
        'detail': {'type': 'string', 'description': 'What went wrong, for a person.'},
        'errors': {
            'type': 'array',
            'description': 'Each failing field of a body that does not match its schema.',
            'items': {
                'type': 'object',
                'required': ['pointer', 'detail'],
                'properties': {
                    'pointer': {'type': 'string', 'description': 'A JSON pointer: #/age.'},
                    'detail': {'type': 'string'},
                },
            },
        },
        'request_id': {'type': 'string', 'description': 'Also sent as X-Request-Id.'},
    },
}

_REQUEST_ID_HEADER: dict[str, Any] = {
    'description': 'The request id, also in the body and in the server log.',
    'schema': {'type': 'string'},
}

_TYPE_SCHEMAS: dict[str, dict[str, Any]] = {
    'int': {'type': 'integer'},
    'float': {'type': 'number'},
    'json': {'type': 'string', 'contentMediaType': 'application/json'},
}

_TYPE_MEDIA = {'json': 'application/json', 'int': 'text/plain', 'float': 'text/plain'}


def openapi_path(url: str) -> tuple[str, list[Placeholder]]:
    """``/a/{name:regex}`` → (``/a/{name}``, its placeholders)."""
    text = ''
    placeholders = []
    for part in parse_url_template(url):
        if isinstance(part, str):
            text += part
        else:
            text += '{' + part.name + '}'
            placeholders.append(part)
    return text, placeholders


def openapi_document(
    spec: Spec | Document, *, warnings: list[Problem] | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document describing the HTTP paths of ``spec``.

    Args:
        spec: the spec, or its loaded document (needed to import ``python:`` models).
        warnings: when given, a ``python:`` model that cannot be imported adds a
            warning here (and gets an empty schema) instead of raising: for
            documenting a spec whose code is not installed.

    Returns:
        Plain data, ready for ``json.dumps``.

    Raises:
        StartupError: a ``python:`` body schema cannot be imported or is not a
            model (unless ``warnings`` is given).
    """
    builder = _Builder(spec, warnings)
    return builder.build()


class _Builder:
    def __init__(self, spec: Spec | Document, warnings: list[Problem] | None = None) -> None:
        self.source = spec
        self.spec = spec.spec if isinstance(spec, Document) else spec
        self.schemas = SchemaSource(spec, warnings)
        self.security_schemes: dict[str, Any] = {}
        #: Each ``{'$ref': ...}`` to the problem schema, named once the models are known.
        self.problem_refs: list[dict[str, str]] = []

    def build(self) -> dict[str, Any]:
        spec = self.spec
        paths: dict[str, dict[str, Any]] = {}
        for name, path in spec.paths.items():
            if path.url is None:  # RedBarrel skipped those too
                continue
            url, placeholders = openapi_path(full_url(spec.root, path.url))
            item = paths.setdefault(url, {})
            methods = [method for method in path.methods if method in _OPERATIONS]
            for method in methods:
                operation_id = name if len(methods) == 1 else f'{name}_{method.lower()}'
                item[method.lower()] = self.operation(name, path, operation_id, placeholders)
            item['x-rbconfig-other-methods'] = {
                'allow': allowed_methods(spec, path),
                'response': {'$ref': '#/components/responses/MethodNotAllowed'},
            }
        not_allowed = self.problem({'description': METHOD_NOT_ALLOWED})
        not_allowed['headers'] = {
            'Allow': {'description': 'The methods the URL takes.', 'schema': {'type': 'string'}},
            **not_allowed['headers'],
        }
        components: dict[str, Any] = {'schemas': self.schemas.components}
        problem_name = 'Problem' if 'Problem' not in components['schemas'] else 'rbconfig.Problem'
        components['schemas'][problem_name] = PROBLEM_SCHEMA
        for ref in self.problem_refs:
            ref['$ref'] = f'#/components/schemas/{problem_name}'
        components['responses'] = {'MethodNotAllowed': not_allowed}
        components['headers'] = {'RequestId': _REQUEST_ID_HEADER}
        if self.security_schemes:
            components['securitySchemes'] = self.security_schemes
        document: dict[str, Any] = {
            'openapi': OPENAPI_VERSION,
            'info': info_object(self.source),
            'paths': paths,
            'components': components,
        }
        document.update(spec.extensions)
        return document

    def operation(
        self, name: str, path: Path, operation_id: str, placeholders: list[Placeholder]
    ) -> dict[str, Any]:
        operation: dict[str, Any] = {'operationId': operation_id}
        if path.description and path.description.strip():
            description = path.description.strip()
            operation['summary'] = summary(description)
            if description != operation['summary']:
                operation['description'] = description
        parameters = [_path_parameter(placeholder) for placeholder in placeholders]
        security: list[dict[str, list[str]]] = []
        request = path.request
        sections = [request.headers, request.body] if request else []
        checks = [check for section in sections if section for check in section.checks]
        for check in checks:
            if isinstance(check, TypeCheck | ValidatorCheck) and check.header:
                if check.header.lower() == 'authorization' and isinstance(check, ValidatorCheck):
                    scheme = self.security_scheme(check)
                    security.append({scheme: []})
                    continue
                parameters.append(_header_parameter(check))
        if parameters:
            operation['parameters'] = parameters
        if request and request.body is not None:
            loc = ('paths', name, 'request', 'body')
            body = self.request_body(request.body, loc)
            if body is not None:
                operation['requestBody'] = body
        operation['responses'] = self.responses(name, path)
        if security:
            operation['security'] = security
        operation['x-rbconfig-use'] = redact(path.use) if path.use is not None else 'echo'
        operation.update(path.extensions)
        for part in (request, path.response):
            if part is not None:
                operation.update(part.extensions)
        return operation

    def security_scheme(self, check: ValidatorCheck) -> str:
        name = check.validates.rpartition('.')[2] or 'authorization'
        self.security_schemes.setdefault(
            name,
            {
                'type': 'apiKey',
                'in': 'header',
                'name': check.header,
                'description': f'Checked by {check.validates}; {check.return_} when it fails.',
            },
        )
        return name

    def schema(self, body: BodySection, loc: Loc) -> dict[str, Any] | None:
        """The JSON Schema of a body, or None when the spec names none."""
        mode: Mode = 'serialization' if 'response' in loc else 'validation'
        return self.schemas.schema(body.schema_, (*loc, 'schema'), mode)

    def problem(self, response: dict[str, Any]) -> dict[str, Any]:
        """``response`` answered as a problem: its X-Request-Id header and content."""
        ref = {'$ref': ''}
        self.problem_refs.append(ref)
        response['headers'] = {'X-Request-Id': {'$ref': '#/components/headers/RequestId'}}
        response['content'] = {_PROBLEM_JSON: {'schema': ref}}
        return response

    def request_body(self, body: BodySection, loc: Loc) -> dict[str, Any] | None:
        schema = self.schema(body, loc)
        media, type_schema, required = _body_media(body.checks)
        if schema is None and media is None:
            return None
        if schema is not None and media is None:
            media = 'application/json'
        content: dict[str, Any] = {}
        chosen = schema if schema is not None else type_schema
        if chosen is not None:
            content['schema'] = chosen
        if body.example is not None:
            content['example'] = body.example
        request_body: dict[str, Any] = {
            'content': {media: content},
            'required': required or schema is not None,
        }
        if body.description:
            request_body['description'] = body.description.strip()
        request_body.update(body.extensions)
        return request_body

    def responses(self, name: str, path: Path) -> dict[str, Any]:
        answers = path_answers(self.spec, path)
        responses: dict[str, Any] = {}
        for status, answer in answers.statuses.items():
            response: dict[str, Any] = {'description': answer.says}
            if 200 <= status < 300:
                self.success(response, name, path)
            elif answer.problem:
                self.problem(response)
            responses[str(status)] = response
        if answers.relayed:
            responses['default'] = {'description': RELAYED}
        return responses

    def success(self, response: dict[str, Any], name: str, path: Path) -> None:
        sets: dict[str, str] = {}
        body = path.response.body if path.response else None
        for section in (path.response.headers if path.response else None, body):
            if section is not None:
                sets.update(section.set)
        content_type = next(
            (value for key, value in sets.items() if key.lower() == 'content-type'), None
        )
        headers = {
            key: {'schema': {'type': 'string', 'const': value}}
            for key, value in sets.items()
            if key.lower() != 'content-type'
        }
        if headers:
            response['headers'] = headers
        schema = self.schema(body, ('paths', name, 'response', 'body')) if body else None
        media, type_schema, _ = _body_media(body.checks if body else [])
        media = _media_type(content_type) or media or _use_media(path)
        if media is None and schema is not None:
            media = 'application/json'
        if media is None:
            return
        content: dict[str, Any] = {}
        chosen = schema if schema is not None else type_schema
        if chosen is not None:
            content['schema'] = chosen
        if body is not None and body.example is not None:
            content['example'] = body.example
        response['content'] = {media: content}
        if body is not None:
            response.update(body.extensions)


def _path_parameter(placeholder: Placeholder) -> dict[str, Any]:
    schema: dict[str, Any] = {'type': 'string'}
    if placeholder.regex is not None:
        schema['pattern'] = f'^(?:{placeholder.regex})$'
    return {'name': placeholder.name, 'in': 'path', 'required': True, 'schema': schema}


def _header_parameter(check: TypeCheck | ValidatorCheck) -> dict[str, Any]:
    parameter: dict[str, Any] = {'name': check.header, 'in': 'header'}
    if isinstance(check, ValidatorCheck):
        parameter['required'] = True
        parameter['schema'] = {'type': 'string'}
        parameter['description'] = f'Checked by {check.validates}; {check.return_} when it fails.'
    elif check.is_ is not None:
        parameter['required'] = True
        parameter['schema'] = dict(_TYPE_SCHEMAS.get(check.is_, {'type': 'string'}))
        parameter['description'] = f'Must be of type {check.is_}; {check.return_} otherwise.'
    else:
        parameter['required'] = False
        parameter['schema'] = {'type': 'string'}
        parameter['description'] = f'Must not be of type {check.is_not}; {check.return_} if it is.'
    return parameter


def _body_media(checks: Iterable[Any]) -> tuple[str | None, dict[str, Any] | None, bool]:
    """(media type, schema, required) told by the body's type checks."""
    for check in checks:
        if isinstance(check, TypeCheck) and check.header is None and check.is_ is not None:
            media = _TYPE_MEDIA.get(check.is_, 'application/octet-stream')
            schema: dict[str, Any] | None = None
            if check.is_ in ('int', 'float'):
                schema = {'type': 'string', 'pattern': _NUMBER_PATTERNS[check.is_]}
            elif check.is_ != 'json':
                schema = {'description': f'A value of the custom type {check.is_}.'}
            return media, schema, True
    return None, None, False


_NUMBER_PATTERNS = {
    'int': r'^\s*[+-]?\d+\s*$',
    'float': r'^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$',
}


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(';', 1)[0].strip().lower() or None


def _use_media(path: Path) -> str | None:
    if path.use is None:
        return 'text/plain'
    location = parse_location(path.use)
    if location.scheme == 'file':
        return mimetypes.guess_type(location.target)[0] or 'application/octet-stream'
    if location.scheme == 'directory':
        return '*/*'
    return None
