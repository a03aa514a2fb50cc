"""The canonical service schema: Pydantic models every format loads into."""

from .base import EXTENSION_PREFIX, SpecModel
from .location import LOCATION_SCHEMES, Location, ParsedLocation, PythonLocation, parse_location
from .path import (
    HTTP_METHODS,
    AlterCheck,
    BodySection,
    Check,
    Method,
    OnErrorCheck,
    Path,
    Request,
    Response,
    Schema,
    Section,
    StatusCode,
    TypeCheck,
    ValidatorCheck,
)
from .server import ServerSettings
from .socket import (
    QUEUE_KINDS,
    QueueKind,
    SocketEvent,
    SocketIO,
    SocketMessage,
    SocketNamespace,
    queue_kind,
)
from .spec import DEFAULT_MAX_BODY, FORMAT_VERSION, GlobalValue, Meta, Spec
from .url import Placeholder, full_url, parse_url_template, placeholder_names, route_key
from .validate import BUILTIN_TYPES, SpecInvalid, known_keys, parse_spec, spec_rules

__all__ = [
    # models
    'AlterCheck',
    'BodySection',
    'Check',
    'Meta',
    'OnErrorCheck',
    'Path',
    'Request',
    'Response',
    'Section',
    'ServerSettings',
    'SocketEvent',
    'SocketIO',
    'SocketMessage',
    'SocketNamespace',
    'Spec',
    'SpecModel',
    'TypeCheck',
    'ValidatorCheck',
    # value types
    'GlobalValue',
    'Location',
    'Method',
    'ParsedLocation',
    'Placeholder',
    'Schema',
    'PythonLocation',
    'QueueKind',
    'StatusCode',
    # constants
    'BUILTIN_TYPES',
    'DEFAULT_MAX_BODY',
    'EXTENSION_PREFIX',
    'FORMAT_VERSION',
    'HTTP_METHODS',
    'LOCATION_SCHEMES',
    'QUEUE_KINDS',
    # functions and errors
    'SpecInvalid',
    'full_url',
    'known_keys',
    'parse_location',
    'queue_kind',
    'parse_spec',
    'parse_url_template',
    'placeholder_names',
    'route_key',
    'spec_rules',
]
