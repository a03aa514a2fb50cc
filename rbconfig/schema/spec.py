"""The service spec: the root of the canonical model."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints

from .base import SpecModel
from .location import LOCATION_SCHEMES, PythonLocation, parse_location
from .path import HeaderValue, Path
from .server import ServerSettings
from .socket import SocketIO, SocketNamespace

__all__ = ['DEFAULT_MAX_BODY', 'FORMAT_VERSION', 'GlobalValue', 'Meta', 'Name', 'Spec']

FORMAT_VERSION = 1

#: Largest request body when neither the path nor the spec sets ``max_body``: 1 MiB.
DEFAULT_MAX_BODY = 1024 * 1024

#: A name for a path, global, type, worker or arbiter (RBR's NAME token).
Name = Annotated[str, StringConstraints(pattern=r'^[A-Za-z_][A-Za-z0-9_-]*$')]

#: A global: a location (called once at start-up) or a plain value.
GlobalValue = str | bool | int | float


def _check_global(value: GlobalValue) -> GlobalValue:
    if isinstance(value, str) and value.partition(':')[0] in LOCATION_SCHEMES:
        parse_location(value)
    return value


_Global = Annotated[GlobalValue, AfterValidator(_check_global)]

Namespace = Annotated[str, StringConstraints(pattern=r'^/[A-Za-z0-9_./-]*$')]


class Meta(SpecModel):
    """What the service is: title, version and a description (Markdown or reST)."""

    key_order: ClassVar[tuple[str, ...]] = ('title', 'version', 'description')

    title: str | None = None
    version: HeaderValue | None = Field(None, description="The service's version ('1.0').")
    description: str | None = None


class Spec(SpecModel):
    """A whole service: paths, sockets, and what they share."""

    key_order: ClassVar[tuple[str, ...]] = (
        'rbconfig',
        'meta',
        'root',
        'max_body',
        'globals',
        'types',
        'paths',
        'socketio',
        'sockets',
        'server',
        'workers',
        'arbiters',
    )

    rbconfig: Literal[1] = Field(description='The spec format version: 1.')
    meta: Meta | None = None
    root: Annotated[str, StringConstraints(pattern=r'^/[^{}]*$')] | None = Field(
        None, description='A URL prefix put in front of every path.'
    )
    max_body: int | None = Field(
        None, ge=0, description='Largest request body, in bytes, for paths that set none.'
    )
    globals: dict[Name, _Global] = Field(
        default_factory=dict,
        description='Values passed to every handler as globs. A location is called once at '
        'start-up with the globals defined before it.',
    )
    types: dict[Name, PythonLocation] = Field(
        default_factory=dict, description='Custom types for checks: instantiated once, called.'
    )
    paths: dict[Name, Path] = Field(default_factory=dict)
    socketio: SocketIO | None = None
    sockets: dict[Namespace, SocketNamespace] = Field(
        default_factory=dict, description="Socket.IO namespaces ('/' is the default one)."
    )
    server: ServerSettings | None = Field(
        None, description="Time limits of rbconfig run's HTTP server."
    )
    workers: dict[Name, PythonLocation] = Field(
        default_factory=dict, description="RedBarrel 'worker' statements: kept, not used."
    )
    arbiters: dict[Name, PythonLocation] = Field(
        default_factory=dict, description="RedBarrel 'arbiter' statements: kept, not used."
    )

    def max_body_of(self, path: Path | None = None) -> int:
        """The largest request body ``path`` accepts: its own, else the spec's, else 1 MiB."""
        if path is not None and path.max_body is not None:
            return path.max_body
        return self.max_body if self.max_body is not None else DEFAULT_MAX_BODY
