"""Paths: one URL, its methods, its handler and the checks around it."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonDict

from .base import SpecModel
from .location import Location, PythonLocation
from .url import UrlTemplate

__all__ = [
    'HTTP_METHODS',
    'AlterCheck',
    'BodySection',
    'Check',
    'HeaderName',
    'HeaderValue',
    'Method',
    'OnErrorCheck',
    'Path',
    'Request',
    'Response',
    'Section',
    'StatusCode',
    'TypeCheck',
    'Schema',
    'ValidatorCheck',
]

HTTP_METHODS: tuple[str, ...] = (
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'HEAD',
    'OPTIONS',
    'TRACE',
    'CONNECT',
)

Method = Literal['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']

#: A schema a spec gives for a body or a message: inline JSON Schema, or a Pydantic model.
Schema = dict[str, Any] | PythonLocation

#: An HTTP status code, 100 to 599.
StatusCode = Annotated[int, Field(ge=100, le=599)]


def _number_to_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _sendable(value: str) -> str:
    # HTTP/1.1 writes a field value as Latin-1 bytes: visible characters, spaces and tabs
    # (RFC 9110 §5.5); a line break would end the header, or start another.
    if any(char < ' ' and char != '\t' or char == '\x7f' or char > '\xff' for char in value):
        raise ValueError(
            'a header value must be Latin-1 text without line breaks or control characters '
            f'(HTTP sends it so), got {value!r}'
        )
    return value


#: Text where numbers written without quotes are taken as their text (a version, a value).
HeaderValue = Annotated[
    str, BeforeValidator(_number_to_text), WithJsonSchema({'type': ['string', 'number']})
]

#: A header value to send: such text, which HTTP can write.
SentHeaderValue = Annotated[HeaderValue, AfterValidator(_sendable)]

#: A header name: an HTTP token (RFC 9110 §5.1).
_TOKEN = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
HeaderName = Annotated[str, StringConstraints(pattern=_TOKEN)]

#: The ``set`` table for editors: what pydantic would say with its keys checked as well
#: (pydantic's own has patternProperties only, which lets any other key through).
_SET_SCHEMA: JsonDict = {
    'type': 'object',
    'propertyNames': {'pattern': _TOKEN},
    'additionalProperties': {'type': ['string', 'number']},
}

_METHODS_PATTERN = '^({0})(\\s*\\|\\s*({0}))*$'.format('|'.join(HTTP_METHODS))

#: What ``status`` tables allow as keys, for editors (the model checks 100 to 599).
_STATUS_KEYS: JsonDict = {'propertyNames': {'pattern': '^[1-5][0-9][0-9]$'}}


def _split_methods(value: Any) -> Any:
    if isinstance(value, str):
        value = [part.strip() for part in value.split('|')]
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item not in HTTP_METHODS and item.upper() in HTTP_METHODS:
                raise ValueError(
                    f'HTTP methods are upper case: expected {item.upper()!r}, got {item!r}'
                )
        if len(set(map(str, value))) != len(value):
            raise ValueError(f'a method is listed twice in {value!r}')
    return value


class TypeCheck(SpecModel):
    """``unless [HEADER] type is [not] TYPE return CODE``.

    Without ``header`` the body is checked. ``is`` passes when the value parses
    as TYPE; ``is_not`` passes when it does not.
    """

    key_order: ClassVar[tuple[str, ...]] = ('header', 'is', 'is_not', 'return')

    header: str | None = Field(None, description='Check this header instead of the body.')
    is_: str | None = Field(None, alias='is', description='json, int, float or a custom type.')
    is_not: str | None = Field(None, description='Fail when the value IS of this type.')
    return_: StatusCode = Field(alias='return', description='Status answered on failure.')

    @model_validator(mode='after')
    def _one_type(self) -> TypeCheck:
        if (self.is_ is None) == (self.is_not is None):
            raise ValueError("a type check needs exactly one of 'is' or 'is_not'")
        return self

    @property
    def type_name(self) -> str:
        """The type this check names, whichever way round."""
        name = self.is_ if self.is_ is not None else self.is_not
        assert name is not None  # exactly one of them is set (checked when made)
        return name


class ValidatorCheck(SpecModel):
    """``unless HEADER validates with python:f return CODE``."""

    key_order: ClassVar[tuple[str, ...]] = ('header', 'validates', 'return')

    header: str
    validates: PythonLocation = Field(description='Called validator(globs, request, value).')
    return_: StatusCode = Field(alias='return')


class AlterCheck(SpecModel):
    """``alter with python:f``: the body becomes ``f(globs, request, body)``."""

    alter: PythonLocation


class OnErrorCheck(SpecModel):
    """``on error return CODE``: the status answered when the handler fails."""

    on_error: StatusCode


def _check_kind(value: Any) -> str | None:
    if isinstance(value, SpecModel):
        return type(value).__name__
    if not isinstance(value, dict):
        return None
    for key, kind in (
        ('validates', 'ValidatorCheck'),
        ('is', 'TypeCheck'),
        ('is_', 'TypeCheck'),
        ('is_not', 'TypeCheck'),
        ('alter', 'AlterCheck'),
        ('on_error', 'OnErrorCheck'),
    ):
        if key in value:
            return kind
    return None


#: One step of a section, run in order.
Check = Annotated[
    Annotated[TypeCheck, Tag('TypeCheck')]
    | Annotated[ValidatorCheck, Tag('ValidatorCheck')]
    | Annotated[AlterCheck, Tag('AlterCheck')]
    | Annotated[OnErrorCheck, Tag('OnErrorCheck')],
    Discriminator(
        _check_kind,
        custom_error_type='check_kind',
        custom_error_message=(
            'expected a check: {is: TYPE, return: CODE}, {is_not: TYPE, return: CODE}, '
            '{header: NAME, validates: python:f, return: CODE}, {alter: python:f} '
            'or {on_error: CODE}'
        ),
    ),
]


class Section(SpecModel):
    """Headers of a request or response: checks run in order, headers to set."""

    key_order: ClassVar[tuple[str, ...]] = ('description', 'checks', 'set')

    description: str | None = None
    checks: list[Check] = Field(default_factory=list)
    set: Annotated[dict[HeaderName, SentHeaderValue], WithJsonSchema(_SET_SCHEMA)] = Field(
        default_factory=dict, description='Headers to set on the response, name: value.'
    )


class BodySection(Section):
    """A body: checks, and optionally a JSON Schema or Pydantic model it must match."""

    key_order: ClassVar[tuple[str, ...]] = ('description', 'schema', 'checks', 'set', 'example')

    schema_: Schema | None = Field(
        None,
        alias='schema',
        description="An inline JSON Schema, or 'python:pkg.Model' naming a Pydantic model.",
    )
    example: Any = Field(None, description='An example body (used by docs and --mock).')


class Request(SpecModel):
    """What a path expects of a request."""

    key_order: ClassVar[tuple[str, ...]] = ('description', 'headers', 'body', 'status')

    description: str | None = None
    headers: Section | None = None
    body: BodySection | None = None
    status: dict[StatusCode, str] = Field(
        default_factory=dict,
        description='Status codes and what they mean, code: text.',
        json_schema_extra=_STATUS_KEYS,
    )


class Response(SpecModel):
    """What a path does to its response, and the statuses it documents."""

    key_order: ClassVar[tuple[str, ...]] = ('status', 'headers', 'body')

    status: dict[StatusCode, str] = Field(
        default_factory=dict,
        description='Status codes and what they mean, code: text.',
        json_schema_extra=_STATUS_KEYS,
    )
    headers: Section | None = None
    body: BodySection | None = None


class Path(SpecModel):
    """One service: a URL, its methods, the code behind it and its checks."""

    key_order: ClassVar[tuple[str, ...]] = (
        'description',
        'method',
        'url',
        'use',
        'max_body',
        'request',
        'response',
    )

    description: str | None = None
    method: Annotated[
        list[Method],
        BeforeValidator(_split_methods),
        WithJsonSchema(
            {
                'anyOf': [
                    {'type': 'string', 'pattern': _METHODS_PATTERN},
                    {'type': 'array', 'items': {'enum': list(HTTP_METHODS)}, 'uniqueItems': True},
                ]
            }
        ),
    ] = Field(
        default_factory=list,
        description="One method ('GET'), several ('GET|POST' or a list). None: GET.",
    )
    url: UrlTemplate | None = None
    use: Location | None = Field(
        None, description='The handler; without one the path echoes the request.'
    )
    max_body: int | None = Field(None, ge=0, description='Largest request body, in bytes.')
    request: Request | None = None
    response: Response | None = None

    @property
    def methods(self) -> list[Method]:
        """The methods this path answers: those listed, GET when none is."""
        return self.method or ['GET']

    def sections(self) -> list[tuple[tuple[str, str], Section]]:
        """``((phase, kind), section)`` of each section written: request headers, request
        body, response headers, response body, in that order."""
        found: list[tuple[tuple[str, str], Section]] = []
        for phase, part in (('request', self.request), ('response', self.response)):
            if part is None:
                continue
            for kind, section in (('headers', part.headers), ('body', part.body)):
                if section is not None:
                    found.append(((phase, kind), section))
        return found

    @property
    def on_error(self) -> int | None:
        """The status of its first ``on_error`` check: answered when the handler fails."""
        for _, section in self.sections():
            for check in section.checks:
                if isinstance(check, OnErrorCheck):
                    return check.on_error
        return None
