"""OpenAPI 3.1 for the HTTP paths of a spec: a pure function of the model.

Nothing here imports falcon or gevent, so ``rbconfig openapi`` stays light.
``python:`` body schemas (Pydantic models) are imported relative to the spec's
folder, the way the runtime imports handlers; that needs the
:class:`~rbconfig.converters.Document` (a bare :class:`~rbconfig.schema.Spec`
gives an empty schema there, marked with ``x-rbconfig-schema``).

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
- ``response.status`` / ``request.status`` and the codes checks return →
  responses; ``set Content-Type`` → the success content type, other ``set``
  headers → response headers;
- ``x-`` extensions of the spec, ``meta``, paths and bodies are carried over.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Literal

from ..document import Document
from ..errors import Loc, Problem, redact
from ..schema import (
    AlterCheck,
    BodySection,
    OnErrorCheck,
    Path,
    Placeholder,
    Section,
    Spec,
    TypeCheck,
    ValidatorCheck,
    full_url,
    parse_location,
    parse_url_template,
)

__all__ = [
    'OPENAPI_VERSION',
    'check_sentence',
    'file_stem',
    'openapi_document',
    'openapi_path',
]

OPENAPI_VERSION = '3.1.0'

_REF_TEMPLATE = '#/components/schemas/{model}'

#: Pydantic's JSON Schema modes: request bodies validate, response bodies serialize.
_Mode = Literal['validation', 'serialization']

#: Methods that are OpenAPI operations (CONNECT is not).
_OPERATIONS = ('GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE')

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
        if isinstance(spec, Document):
            self.document: Document | None = spec
            self.spec = spec.spec
        else:
            self.document = None
            self.spec = spec
        self.warnings = warnings
        self.components: dict[str, Any] = {}
        self.security_schemes: dict[str, Any] = {}

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
        document: dict[str, Any] = {
            'openapi': OPENAPI_VERSION,
            'info': self.info(),
            'paths': paths,
        }
        components: dict[str, Any] = {}
        if self.components:
            components['schemas'] = self.components
        if self.security_schemes:
            components['securitySchemes'] = self.security_schemes
        if components:
            document['components'] = components
        document.update(spec.extensions)
        return document

    def info(self) -> dict[str, Any]:
        meta = self.spec.meta
        title = meta.title if meta and meta.title else None
        if title is None and self.document is not None:
            title = file_stem(self.document.file)
        info: dict[str, Any] = {
            'title': title or 'rbconfig service',
            'version': meta.version if meta and meta.version else '0',
        }
        if meta and meta.description:
            info['description'] = meta.description.strip()
        if meta:
            info.update(meta.extensions)
        return info

    def operation(
        self, name: str, path: Path, operation_id: str, placeholders: list[Placeholder]
    ) -> dict[str, Any]:
        operation: dict[str, Any] = {'operationId': operation_id}
        if path.description and path.description.strip():
            description = path.description.strip()
            operation['summary'] = _summary(description)
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
        schema = body.schema_
        if schema is None:
            return None
        if isinstance(schema, dict):
            return schema
        if self.document is None:
            return {'x-rbconfig-schema': schema}
        mode: _Mode = 'serialization' if 'response' in loc else 'validation'
        return self.model_schema(schema, (*loc, 'schema'), mode)

    def model_schema(self, location: str, loc: Loc, mode: _Mode = 'validation') -> dict[str, Any]:
        from ..errors import StartupError

        try:
            schema = self._model_schema(location, loc, mode)
        except StartupError as ex:
            if self.warnings is None:
                raise
            for problem in ex.problems:
                warning = replace(problem, severity='warning')
                if warning not in self.warnings:
                    self.warnings.append(warning)
            return {'x-rbconfig-schema': location}
        self.components.update(schema.pop('$defs', {}))
        return schema

    def _model_schema(self, location: str, loc: Loc, mode: _Mode) -> dict[str, Any]:
        from pydantic import BaseModel, TypeAdapter

        from ..document.resolve import resolve
        from ..errors import StartupError

        assert self.document is not None
        model = resolve(self.document, loc, location)
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_json_schema(ref_template=_REF_TEMPLATE, mode=mode)
            return TypeAdapter(model).json_schema(ref_template=_REF_TEMPLATE, mode=mode)
        except Exception as ex:  # a model Pydantic cannot describe
            raise StartupError.at(
                self.document, loc, f'{location}: no JSON Schema for it: {ex}'
            ) from ex

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
        described: dict[int, str] = {}
        if path.request is not None:
            described.update(path.request.status)
        if path.response is not None:
            described.update(path.response.status)
        told: dict[int, list[str]] = {}
        for code, text in _check_statuses(path):
            if code not in described and text not in told.setdefault(code, []):
                told[code].append(text)
        for code, texts in told.items():
            if texts:
                described[code] = ' '.join(texts)
        max_body = path.max_body if path.max_body is not None else self.spec.max_body
        if max_body is not None:
            described.setdefault(413, f'The request body is larger than {max_body} bytes.')
        if not any(200 <= code < 300 for code in described):
            described[200] = 'The request, echoed as text.' if path.use is None else 'Success.'
        responses: dict[str, Any] = {}
        for code in sorted(described):
            response: dict[str, Any] = {'description': described[code] or str(code)}
            if 200 <= code < 300:
                self.success(response, name, path)
            responses[str(code)] = response
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


def _summary(description: str) -> str:
    first = description.strip().splitlines()[0].strip()
    return first if len(first) <= 120 else first[:117].rstrip() + '...'


def file_stem(file: str) -> str:
    """The spec file's name without folder and ending: the default title."""
    name = file.replace('\\', '/').rsplit('/', 1)[-1]
    return name.rsplit('.', 1)[0] if '.' in name else name


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


def _check_statuses(path: Path) -> list[tuple[int, str]]:
    """The codes the checks of ``path`` answer with, each said in words."""
    found: list[tuple[int, str]] = []
    for part in ('request', 'response'):
        holder = getattr(path, part)
        if holder is None:
            continue
        for kind in ('headers', 'body'):
            section: Section | None = getattr(holder, kind)
            for check in section.checks if section else []:
                if isinstance(check, TypeCheck | ValidatorCheck):
                    found.append((check.return_, check_sentence(check, part)))
                elif isinstance(check, OnErrorCheck):
                    found.append((check.on_error, 'The handler failed.'))
    return found


def check_sentence(check: Any, part: str = 'request') -> str:
    """A check said in plain words (used by the docs page too)."""
    subject = f'the {part} body'
    if isinstance(check, TypeCheck):
        if check.header:
            subject = f'the {check.header} header'
        if check.is_ is not None:
            return _capital(
                f'{subject} must be {_type_words(check.is_)}, otherwise {check.return_}.'
            )
        return _capital(
            f'{subject} must not be {_type_words(check.is_not)}, otherwise {check.return_}.'
        )
    if isinstance(check, ValidatorCheck):
        return _capital(
            f'the {check.header} header must pass {check.validates}, otherwise {check.return_}.'
        )
    if isinstance(check, AlterCheck):
        return _capital(f'{subject} is transformed by {check.alter}.')
    if isinstance(check, OnErrorCheck):
        return f'If the handler fails: {check.on_error}.'
    return str(check)


def _type_words(name: str | None) -> str:
    return {'json': 'JSON', 'int': 'an integer', 'float': 'a number'}.get(
        name or '', f'of type {name}'
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
