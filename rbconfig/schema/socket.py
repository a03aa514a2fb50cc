"""Socket.IO: namespaces with their event handlers, and server settings."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from .base import SpecModel
from .location import Location, PythonLocation

__all__ = ['SocketIO', 'SocketNamespace']


class SocketNamespace(SpecModel):
    """The handlers of one Socket.IO namespace.

    ``use`` names a RedBarrel-style handler ``func(globs, request)`` that runs
    once per connection and reads ``request.socketio``; ``events`` maps event
    names (``connect``, ``disconnect``, ``message`` or any other) to modern
    handlers ``func(ctx, data)``.
    """

    key_order: ClassVar[tuple[str, ...]] = ('description', 'use', 'events')

    description: str | None = None
    use: PythonLocation | None = Field(
        None, description='A RedBarrel socket handler func(globs, request), one per connection.'
    )
    events: dict[str, PythonLocation] = Field(
        default_factory=dict, description='Event name: python:handler(ctx, data).'
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
        'client',
    )

    path: str = Field('/socket.io', pattern=r'^/[^{}]*$', description='Endpoint of the server.')
    origins: list[str] | None = Field(
        None, description="Origins allowed besides the page's own; ['*'] allows any."
    )
    ping_interval: float = Field(25, gt=0, description='Seconds between pings.')
    ping_timeout: float = Field(20, gt=0, description='Seconds before a silent peer is dropped.')
    max_message: int = Field(1_000_000, gt=0, description='Largest message, in bytes.')
    client: Location | None = Field(
        None,
        description="Where to find socket.io.js to serve at <path>/socket.io.js ('file:...').",
    )
