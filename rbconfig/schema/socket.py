"""Socket.IO: namespaces with their event handlers and messages, and server settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, model_serializer, model_validator

from .base import SpecModel, kind_of
from .location import Location, PythonLocation, check_python
from .path import Schema

__all__ = [
    'QUEUE_KINDS',
    'MessageQueue',
    'QueueKind',
    'SocketEvent',
    'SocketIO',
    'SocketMessage',
    'SocketNamespace',
    'queue_kind',
]


@dataclass(frozen=True, slots=True)
class QueueKind:
    """A family of message-queue URLs: which python-socketio client manager serves it.

    Attributes:
        name: the manager's family (``'redis'``, ``'kafka'``, ``'amqp'``).
        schemes: the URL schemes it takes.
        extra: the rbconfig extra that installs its client library
            (``pip install 'rbconfig[redis]'``).
    """

    name: str
    schemes: tuple[str, ...]
    extra: str


#: The message queues python-socketio's client managers reach from a gevent server.
QUEUE_KINDS = (
    QueueKind('redis', ('redis', 'rediss', 'redis+sentinel', 'unix'), 'redis'),
    QueueKind('valkey', ('valkey', 'valkeys', 'valkey+sentinel'), 'valkey'),
    QueueKind('kafka', ('kafka',), 'kafka'),
    QueueKind('amqp', ('amqp', 'amqps', 'pyamqp'), 'amqp'),
)


def queue_kind(url: str) -> QueueKind:
    """The :class:`QueueKind` of a message-queue URL.

    Raises:
        ValueError: the URL's scheme is none python-socketio can use with gevent.
    """
    scheme = urlsplit(url).scheme.lower() if '://' in url else ''
    for kind in QUEUE_KINDS:
        if scheme in kind.schemes:
            return kind
    known = ', '.join(f'{name}://' for kind in QUEUE_KINDS for name in kind.schemes)
    hint = ''
    if scheme.startswith('zmq'):
        hint = " (python-socketio's ZeroMQ manager needs eventlet; rbconfig runs on gevent)"
    raise ValueError(f'expected a message queue URL ({known}), got {url!r}{hint}')


def _check_queue(url: str) -> str:
    queue_kind(url)
    return url


#: A message queue URL: ``redis://host:6379/0``, ``amqp://...``, ``kafka://...``.
MessageQueue = Annotated[
    str,
    AfterValidator(_check_queue),
    Field(
        json_schema_extra={
            'pattern': '^('
            + '|'.join(
                scheme.replace('+', '\\+') for kind in QUEUE_KINDS for scheme in kind.schemes
            )
            + ')://'
        },
        description='The message queue shared by the nodes of a cluster: redis://host:6379/0, '
        'rediss://, redis+sentinel://, unix://, valkey://, kafka://, amqp://.',
    ),
]


class SocketMessage(SpecModel):
    """What one Socket.IO event carries: said on the docs page and in AsyncAPI.

    ``schema`` and ``example`` describe the event's data (its first argument);
    they document it, the runtime does not check it.
    """

    key_order: ClassVar[tuple[str, ...]] = ('description', 'schema', 'example')

    description: str | None = None
    schema_: Schema | None = Field(
        None,
        alias='schema',
        description="The event's data: an inline JSON Schema, or 'python:pkg.Model' "
        '(a Pydantic model). Documentation only: not checked at run time.',
    )
    example: Any = Field(None, description="An example of the event's data.")


class SocketEvent(SocketMessage):
    """An event clients send: its handler ``func(ctx, data)``, and what its data is.

    Written as the handler's location alone (``say: python:rooms.say``) or as a
    mapping with ``use`` and any of ``description``, ``schema``, ``example``. An
    event with nothing but ``use`` is written back as the location alone.
    """

    key_order: ClassVar[tuple[str, ...]] = ('description', 'use', 'schema', 'example')

    use: PythonLocation = Field(description='The handler: python:module.func(ctx, data).')

    @model_serializer(mode='wrap')
    def _shortest(self, serialize: Any) -> Any:
        data = serialize(self)
        if isinstance(data, dict) and list(data) == ['use']:
            return data['use']
        return data


def _event_from_location(value: Any) -> Any:
    if isinstance(value, str):
        return {'use': check_python(value)}  # a bad one is said at the event's own place
    if isinstance(value, dict | SocketEvent):
        return value
    raise ValueError(
        "expected a 'python:' location or a mapping with 'use' (and 'description', "
        f"'schema', 'example'), got {kind_of(value)}"
    )


#: An event's handler: its location alone, or a :class:`SocketEvent` mapping.
Event = Annotated[
    SocketEvent,
    BeforeValidator(_event_from_location, json_schema_input_type=PythonLocation | SocketEvent),
]


class SocketNamespace(SpecModel):
    """The handlers of one Socket.IO namespace, and the events it sends.

    ``use`` names a RedBarrel-style handler ``func(globs, request)`` that runs
    once per connection and reads ``request.socketio``; ``events`` maps event
    names (``connect``, ``disconnect``, ``message`` or any other) to modern
    handlers ``func(ctx, data)``; ``emits`` documents the events the server
    sends to the clients of this namespace.
    """

    key_order: ClassVar[tuple[str, ...]] = ('description', 'use', 'events', 'emits')

    description: str | None = None
    use: PythonLocation | None = Field(
        None, description='A RedBarrel socket handler func(globs, request), one per connection.'
    )
    events: dict[str, Event] = Field(
        default_factory=dict,
        description="Events clients send: name → 'python:handler' (called handler(ctx, data)), "
        'or a mapping {use, description, schema, example}.',
    )
    emits: dict[str, SocketMessage] = Field(
        default_factory=dict,
        description='Events the server sends to clients: name → {description, schema, '
        'example}. Documentation only.',
    )

    @model_validator(mode='after')
    def _has_handler(self) -> SocketNamespace:
        if self.use is None and not self.events:
            raise ValueError("a socket namespace needs 'use' or 'events'")
        if self.use is not None and 'message' in self.events:
            raise ValueError(
                "'use' already receives the 'message' events; remove events.message or 'use'"
            )
        return self


class SocketIO(SpecModel):
    """Settings of the Socket.IO server."""

    key_order: ClassVar[tuple[str, ...]] = (
        'path',
        'origins',
        'ping_interval',
        'ping_timeout',
        'max_message',
        'connect_timeout',
        'client',
        'message_queue',
        'channel',
    )

    path: str = Field('/socket.io', pattern=r'^/[^{}]*$', description='Endpoint of the server.')
    origins: list[str] | None = Field(
        None, description="Origins allowed besides the page's own; ['*'] allows any."
    )
    ping_interval: float = Field(25, gt=0, description='Seconds between pings.')
    ping_timeout: float = Field(20, gt=0, description='Seconds before a silent peer is dropped.')
    max_message: int = Field(1_000_000, gt=0, description='Largest message, in bytes.')
    connect_timeout: float = Field(
        45,
        gt=0,
        description=(
            'Seconds a client has, after its Engine.IO handshake, to connect to a namespace '
            'before it is dropped.'
        ),
    )
    client: Location | None = Field(
        None,
        description="Where to find socket.io.js to serve at <path>/socket.io.js ('file:...').",
    )
    message_queue: MessageQueue | None = Field(
        None,
        description='Message queue URL shared by every process serving the app (redis://...); '
        'the RBCONFIG_MESSAGE_QUEUE environment variable overrides it.',
    )
    channel: str = Field(
        'socketio',
        min_length=1,
        pattern=r'^[^\s]+$',
        description='Channel (topic, exchange) on the message queue; one per app sharing it.',
    )
