"""Socket.IO: namespaces with their event handlers and messages, and server settings."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_serializer, model_validator

from .base import SpecModel, kind_of
from .location import Location, PythonLocation, check_python
from .path import Schema

__all__ = ['SocketEvent', 'SocketIO', 'SocketMessage', 'SocketNamespace']


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
