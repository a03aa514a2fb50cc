"""A RedBarrel-style socket handler: one call per connection, ``request.socketio`` inside."""

from __future__ import annotations

from typing import Any


def echo(globs: dict[str, Any], request: Any) -> None:
    """Send every message back to its sender until the client leaves."""
    socketio = request.socketio
    socketio.on_connect()
    while True:
        message = socketio.recv()
        if not message:  # [] once the client is gone
            return
        socketio.send(message[0])
