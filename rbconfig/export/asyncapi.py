"""AsyncAPI 3.0 for the Socket.IO side of a spec: a pure function of the model.

The document describes the application (the rbconfig server). Nothing here
imports python-socketio or gevent. What maps to what:

- the Socket.IO endpoint (``socketio.path``) → two ``servers``, one per
  transport: ``websocket`` (protocol ``ws``) and ``polling`` (``http``, Engine.IO
  long-polling, where clients start before upgrading); the host is the
  variable ``{host}``, since the spec does not say where it is served;
- each namespace → a channel whose ``address`` is the namespace (``/``,
  ``/chat``); channel ids are the namespace's name (``root`` for ``/``);
- each event clients send (``events``) → a message (``name`` is the event) and a
  ``receive`` operation: the server receives it and runs the handler
  (``x-rbconfig-use``); ``connect`` carries the client's ``auth`` object and
  ``disconnect`` the reason;
- each event the server sends (``emits``) → a message and a ``send`` operation;
- a RedBarrel handler (``use``) → ``message`` both ways: it reads what clients
  ``send()`` and sends ``message`` events back;
- an event's ``schema`` → the message ``payload`` (``python:`` models as in
  OpenAPI, their ``$defs`` in ``components.schemas``); ``example`` → the
  message's ``examples``; ``description`` → ``summary`` and ``description``.

A handler's return value is the client's acknowledgement; the spec does not
describe it, so operations have no ``reply``.
"""

from __future__ import annotations

import re
from typing import Any

from ..document import Document
from ..errors import Loc, Problem, redact
from ..schema import SocketIO, SocketMessage, SocketNamespace, Spec
from .schemas import Mode, SchemaSource
from .words import info_object, summary

__all__ = ['ASYNCAPI_VERSION', 'asyncapi_document']

ASYNCAPI_VERSION = '3.0.0'

#: What the special events carry, said for each (they are not ``emit``-ed by clients).
_SPECIAL_RECEIVED = {
    'connect': 'A client connects to the namespace; the data is its auth object '
    '(io(url, {auth: ...})), or null. Returning false refuses the connection.',
    'disconnect': 'A client left the namespace; the data is the reason.',
}

_LEGACY_RECEIVED = (
    "What clients send() (the 'message' event) goes to the RedBarrel handler {use}, "
    'which reads it with request.socketio.recv().'
)
_LEGACY_SENT = "The RedBarrel handler {use} sends 'message' events (socketio.send, broadcast)."

_ID = re.compile(r'[^A-Za-z0-9_.-]+')


def asyncapi_document(
    spec: Spec | Document, *, warnings: list[Problem] | None = None
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document describing the Socket.IO namespaces of ``spec``.

    Args:
        spec: the spec, or its loaded document (needed to import ``python:`` models).
        warnings: when given, a ``python:`` model that cannot be imported adds a
            warning here (and gets an empty schema) instead of raising.

    Returns:
        Plain data, ready for ``json.dumps``.

    Raises:
        StartupError: a ``python:`` event schema cannot be imported or is not a
            model (unless ``warnings`` is given).
    """
    return _Builder(spec, warnings).build()


class _Builder:
    def __init__(self, spec: Spec | Document, warnings: list[Problem] | None) -> None:
        self.source = spec
        self.spec = spec.spec if isinstance(spec, Document) else spec
        self.schemas = SchemaSource(spec, warnings)
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}

    def build(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            'asyncapi': ASYNCAPI_VERSION,
            'info': info_object(self.source),
            'defaultContentType': 'application/json',
        }
        if self.spec.sockets:
            document['servers'] = _servers(self.spec.socketio or SocketIO.model_validate({}))
        for namespace, socket in self.spec.sockets.items():
            self.namespace(namespace, socket)
        document['channels'] = self.channels
        document['operations'] = self.operations
        if self.schemas.components:
            document['components'] = {'schemas': self.schemas.components}
        return document

    def namespace(self, namespace: str, socket: SocketNamespace) -> None:
        channel_id = _unique(_ID.sub('-', namespace.strip('/')) or 'root', self.channels)
        channel: dict[str, Any] = {'address': namespace, 'title': f'Namespace {namespace}'}
        if socket.description and socket.description.strip():
            channel['description'] = socket.description.strip()
        messages: dict[str, Any] = {}
        channel['messages'] = messages
        channel.update(socket.extensions)
        self.channels[channel_id] = channel
        loc: Loc = ('sockets', namespace)
        for event, handler in socket.events.items():
            said = _SPECIAL_RECEIVED.get(event)
            key = self.message(messages, event, handler, (*loc, 'events', event), 'validation')
            self.operation(channel_id, key, 'receive', event, handler, said, handler.use)
        legacy = _legacy_messages(socket)
        if 'received' in legacy:
            key = self.message(messages, 'message', legacy['received'], None, 'validation')
            self.operation(
                channel_id, key, 'receive', 'message', legacy['received'], None, socket.use
            )
        for event, message in socket.emits.items():
            key = self.message(messages, event, message, (*loc, 'emits', event), 'serialization')
            self.operation(channel_id, key, 'send', event, message, None, None)
        if 'sent' in legacy:
            key = self.message(messages, 'message', legacy['sent'], None, 'serialization')
            self.operation(channel_id, key, 'send', 'message', legacy['sent'], None, None)

    def message(
        self,
        messages: dict[str, Any],
        event: str,
        message: SocketMessage,
        loc: Loc | None,
        mode: Mode,
    ) -> str:
        """Add the message of ``event`` to the channel's; returns its key."""
        sent = mode == 'serialization'
        key = _unique(_ID.sub('-', event) or 'event', messages, 'sent' if sent else 'received')
        found: dict[str, Any] = {'name': event, 'title': event}
        if message.description and message.description.strip():
            description = message.description.strip()
            found['summary'] = summary(description)
            if description != found['summary']:
                found['description'] = description
        payload = self.schemas.schema(message.schema_, (*loc, 'schema'), mode) if loc else None
        if payload is not None:
            found['payload'] = payload
        if message.example is not None:
            found['examples'] = [{'payload': message.example}]
        found.update(message.extensions)
        messages[key] = found
        return key

    def operation(
        self,
        channel_id: str,
        key: str,
        action: str,
        event: str,
        message: SocketMessage,
        said: str | None,
        use: str | None,
    ) -> None:
        operation_id = _unique(f'{action}-{channel_id}-{key}', self.operations)
        operation: dict[str, Any] = {
            'action': action,
            'channel': {'$ref': f'#/channels/{channel_id}'},
            'messages': [{'$ref': f'#/channels/{channel_id}/messages/{key}'}],
            'title': f'{"Receive" if action == "receive" else "Send"} {event}',
        }
        description = said or (message.description.strip() if message.description else '')
        if description:
            operation['summary'] = summary(description)
            if description != operation['summary']:
                operation['description'] = description
        if use is not None:
            operation['x-rbconfig-use'] = redact(use)
        self.operations[operation_id] = operation


def _legacy_messages(socket: SocketNamespace) -> dict[str, SocketMessage]:
    """The ``message`` events a RedBarrel handler reads and sends (unless ``emits`` says)."""
    if socket.use is None:
        return {}
    use = redact(socket.use)
    found = {'received': _LEGACY_RECEIVED, 'sent': _LEGACY_SENT}
    if 'message' in socket.emits:
        del found['sent']
    return {
        key: SocketMessage.model_validate({'description': text.format(use=use)})
        for key, text in found.items()
    }


def _servers(settings: SocketIO) -> dict[str, Any]:
    path = settings.path.rstrip('/') + '/'
    host = {
        'host': {
            'default': 'localhost:8000',
            'description': 'Where the spec is served: rbconfig run --host and --port.',
        }
    }
    common = f'Socket.IO protocol 5 (Engine.IO 4) at {path}'
    return {
        'websocket': {
            'host': '{host}',
            'protocol': 'ws',
            'pathname': path,
            'title': 'Socket.IO over WebSocket',
            'description': f'{common}: GET {path}?EIO=4&transport=websocket (wss behind TLS).',
            'variables': host,
        },
        'polling': {
            'host': '{host}',
            'protocol': 'http',
            'pathname': path,
            'title': 'Socket.IO over HTTP long-polling',
            'description': f'{common}: GET and POST {path}?EIO=4&transport=polling; clients '
            'start here, then upgrade to WebSocket (https behind TLS).',
            'variables': host,
        },
    }


def _unique(key: str, taken: dict[str, Any], suffix: str = '') -> str:
    """``key``, or ``key-suffix``, ``key-suffix-2``... when it is taken."""
    if key not in taken:
        return key
    base = f'{key}-{suffix}' if suffix else key
    candidate, number = base, 2
    while candidate in taken:
        candidate = f'{base}-{number}'
        number += 1
    return candidate
