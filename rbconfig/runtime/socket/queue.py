"""The message queue that joins the processes serving one app: python-socketio's client managers.

One process holds the clients connected to it. With ``socketio.message_queue``
set (or the :data:`ENV_VAR` environment variable), every process serving the
app talks to the others through a python-socketio *client manager*
(:class:`socketio.RedisManager`, :class:`socketio.KafkaManager`,
:class:`socketio.KombuManager` for AMQP): an emit, a broadcast, an emit to a
room, a ``disconnect`` or a room change for a client of another process is
published on the queue's ``channel`` and carried out by the process that holds
the client. rbconfig adds no protocol of its own; what it adds is around the
manager:

* the URL from the spec or the environment, checked, and a one-line error
  naming the extra to install when the queue's client library is missing;
* at start-up, the queue must answer: an unreachable Redis or AMQP broker stops
  the start-up with the reason (never a traceback), and the process listens for
  clients only once it is subscribed (Redis) or its queue is bound to the
  channel's exchange (AMQP), so a message published by another node right after
  a client connects here is not missed (python-socketio subscribes lazily, at
  the first client);
* the log says when the subscription is lost and when it is back
  (python-socketio retries after 1, 2, 4 ... up to 60 seconds).

A process that only emits (a worker, a cron job) uses :func:`write_only`:
python-socketio's write-only manager on the same URL and channel.

Private use of python-socketio, fenced here: :class:`_LoggedRedisManager`
extends ``RedisManager._redis_connect`` (called by the manager's listening
greenlet, ``thread``, before it subscribes), the hook python-socketio's own
backends override; :func:`check_version` refuses a python-socketio without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import gevent
import gevent.event
import socketio

from ...document import Document
from ...errors import Loc, StartupError, redact
from ...schema import QueueKind, queue_kind
from .adapter import FanOut
from .server import DEFAULT_SETTINGS

__all__ = [
    'ENV_VAR',
    'OFF',
    'QueueSetting',
    'client_manager',
    'queue_setting',
    'start',
    'write_only',
]

logger = logging.getLogger('rbconfig.socket.queue')

#: The environment variable that overrides ``socketio.message_queue`` at run time.
ENV_VAR = 'RBCONFIG_MESSAGE_QUEUE'

#: Values of :data:`ENV_VAR` that turn the queue off (one process, as without the setting).
OFF = frozenset({'none', 'off'})

#: Seconds the start-up waits for the queue to answer and the subscription to be in place.
STARTUP_TIMEOUT = 10.0

#: The module each kind needs (imported by :func:`_client_module`), by kind name.
_CLIENT_MODULES = {'redis': 'redis', 'valkey': 'valkey', 'kafka': 'kafka', 'amqp': 'kombu'}


@dataclass(frozen=True, slots=True)
class QueueSetting:
    """Where the processes of one app meet.

    Attributes:
        url: the queue's URL (with its password, if any).
        channel: the channel (topic, exchange) every process of the app uses.
        kind: which client manager serves the URL.
        source: where the URL was given: ``socketio.message_queue`` or :data:`ENV_VAR`.
        loc: the spec place errors are reported at.
    """

    url: str
    channel: str
    kind: QueueKind
    source: str
    loc: Loc

    @property
    def shown(self) -> str:
        """The URL without its password, for logs and errors."""
        return redact(self.url)


def queue_setting(
    document: Document, environ: MutableMapping[str, str] | None = None
) -> QueueSetting | None:
    """The app's message queue: :data:`ENV_VAR` if set, else ``socketio.message_queue``.

    ``RBCONFIG_MESSAGE_QUEUE=none`` (or ``off``) turns a spec's queue off.

    Raises:
        StartupError: the environment variable is not a message-queue URL.
    """
    settings = document.spec.socketio or DEFAULT_SETTINGS
    loc: Loc = ('socketio', 'message_queue')
    value = (os.environ if environ is None else environ).get(ENV_VAR, '').strip()
    if value:
        if value.lower() in OFF:
            return None
        try:
            kind = queue_kind(value)
        except ValueError as ex:
            raise StartupError.at(document, loc, f'{ENV_VAR}: {ex}') from None
        return QueueSetting(value, settings.channel, kind, ENV_VAR, loc)
    if settings.message_queue is None:
        return None
    url = settings.message_queue
    return QueueSetting(url, settings.channel, queue_kind(url), 'socketio.message_queue', loc)


def _client_module(document: Document, setting: QueueSetting) -> ModuleType:
    """The queue's client library; one line naming the extra to install when it is missing.

    Raises:
        StartupError: the module is not installed.
    """
    try:
        if setting.kind.name == 'redis':
            import redis

            return redis
        if setting.kind.name == 'valkey':
            import valkey

            return valkey
        if setting.kind.name == 'kafka':
            import kafka

            return kafka
        import kombu

        return kombu
    except ImportError:
        module = _CLIENT_MODULES[setting.kind.name]
        raise StartupError.at(
            document,
            setting.loc,
            f'{setting.source} {setting.shown} needs the {module!r} module: '
            f"pip install 'rbconfig[{setting.kind.extra}]'",
        ) from None


class _QueueLog(logging.LoggerAdapter[logging.Logger]):
    """python-socketio's manager log, saying which queue and why it failed.

    RedisManager logs "Cannot receive from redis... retrying in 2 secs" and puts
    the reason in ``extra``, where no formatter shows it; it goes into the line here.
    """

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        reason = (kwargs.get('extra') or {}).get('redis_exception')
        text = f'message queue {self.extra["queue"]}: {msg}' if self.extra else str(msg)
        return (f'{text} ({reason})' if reason else text), kwargs


class _Subscription:
    """What a listening manager shares: an event set once it is subscribed, and the log lines.

    Mixed into python-socketio's RedisManager and KombuManager below (``shown``:
    the queue's URL as logs show it); each calls :meth:`_subscribed` from its
    listening greenlet once the channel's messages reach it (at the start, and
    again after each lost connection).
    """

    channel: str

    def __init__(self, *args: Any, shown: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown = shown
        self.subscribed = gevent.event.Event()
        self._subscriptions = 0

    def _subscribed(self) -> None:
        self._subscriptions += 1
        if self._subscriptions == 1:
            logger.info('message queue %s: subscribed to channel %r', self.shown, self.channel)
        else:
            logger.warning(
                'message queue %s: connected again, subscribed to channel %r; events from '
                'the other processes flow again (those published while it was away are lost)',
                self.shown,
                self.channel,
            )
        self.subscribed.set()


class _LoggedRedisManager(_Subscription, socketio.RedisManager, FanOut):
    """python-socketio's RedisManager that says when its subscription is in place.

    ``_redis_connect`` is what the manager's listening greenlet calls before it
    subscribes, at the start and after each lost connection. Here, in that
    greenlet, it subscribes at once (python-socketio's own ``subscribe`` that
    follows is then a no-op for Redis), so the start-up can wait for it and the
    log can say that events from the other nodes flow again.
    """

    def _redis_connect(self) -> None:
        super()._redis_connect()
        if gevent.getcurrent() is not getattr(self, 'thread', None):
            return  # the publishing side reconnecting: nothing to subscribe
        assert self.pubsub is not None
        self.pubsub.subscribe(self.channel)  # raises when Redis is still away: retried
        self._subscribed()


class _LoggedKombuManager(_Subscription, socketio.KombuManager, FanOut):
    """python-socketio's KombuManager that says when its queue is bound (:func:`_kombu_manager`)."""


class _KafkaManager(socketio.KafkaManager, FanOut):
    """python-socketio's KafkaManager, delivering locally as :class:`.FanOut` does."""


def _kombu_manager(
    setting: QueueSetting, kombu: ModuleType, **common: Any
) -> socketio.KombuManager:
    """python-socketio's KombuManager that says when its queue is bound to the channel.

    Through public options: the listening queue (``queue_options``) gets the
    channel's exchange as a ``kombu.binding`` whose ``bind`` reports back once
    the broker has bound the queue, at the start and after each reconnection
    (kombu declares and binds the queue again then). The exchange is the one
    python-socketio publishes to: named after the channel, fanout, not durable.
    Should a python-socketio release declare it otherwise, the broker would
    refuse the binding and the start-up would stop, "not subscribed".
    """

    class Bound(kombu.binding):  # type: ignore[name-defined]
        def bind(self, entity: Any, nowait: bool = False, channel: Any = None) -> None:
            super().bind(entity, nowait=nowait, channel=channel)
            manager._subscribed()

    exchange = kombu.Exchange(setting.channel, type='fanout', durable=False)
    options = {'bindings': [Bound(exchange)]}
    manager = _LoggedKombuManager(setting.url, queue_options=options, shown=setting.shown, **common)
    return manager


def check_version() -> str | None:
    """Why RedisManager lacks what :class:`_LoggedRedisManager` extends, or None."""
    if not callable(getattr(socketio.RedisManager, '_redis_connect', None)):
        return (
            'this python-socketio has no RedisManager._redis_connect; rbconfig supports '
            'python-socketio 5.11 to 5.x'
        )
    return None


def _manager(
    setting: QueueSetting, module: ModuleType, *, write_only: bool
) -> socketio.PubSubManager:
    """python-socketio's manager for ``setting``; ``module`` is the queue's client library."""
    log = _QueueLog(logger, {'queue': setting.shown})
    common: dict[str, Any] = {'channel': setting.channel, 'write_only': write_only, 'logger': log}
    name = setting.kind.name
    if name in ('redis', 'valkey'):
        # One connection publishes for the whole process (redis-py's own option, behind a lock):
        # with its pool, each handler publishing at the same moment took a connection of its
        # own, and past the pool's 100 the manager logged an error and made a new pool, again
        # and again (thousands of connections for a burst of events, 3x the CPU per delivery).
        options = {
            'socket_connect_timeout': 5,
            'socket_keepalive': True,
            'single_connection_client': True,
        }
        if write_only:
            return socketio.RedisManager(setting.url, redis_options=options, **common)
        return _LoggedRedisManager(
            setting.url, redis_options=options, shown=setting.shown, **common
        )
    if name == 'kafka':
        return (
            socketio.KafkaManager(setting.url, **common)
            if write_only
            else _KafkaManager(setting.url, **common)
        )
    if write_only:
        return socketio.KombuManager(setting.url, **common)
    return _kombu_manager(setting, module, **common)


def client_manager(document: Document, setting: QueueSetting) -> socketio.PubSubManager:
    """The client manager for the app's message queue (``setting``, from :func:`queue_setting`).

    A Redis (or Valkey) must answer a PING now: an unreachable queue is found
    before the process serves anyone.

    Raises:
        StartupError: a missing client library (naming the extra), or a queue
            that cannot be set up or does not answer (naming it and why).
    """
    module = _client_module(document, setting)
    problem = check_version()
    if problem and setting.kind.name in ('redis', 'valkey'):
        raise StartupError.at(document, setting.loc, problem)
    try:
        manager = _manager(setting, module, write_only=False)
    except Exception as ex:  # e.g. kafka: no broker answers
        raise _unreachable(document, setting, ex) from None
    if isinstance(manager, socketio.RedisManager):
        _ping(document, setting, module, manager.redis_options)
    elif setting.kind.name == 'amqp':
        _connect(document, setting, module)
    return manager


def _unreachable(document: Document, setting: QueueSetting, error: BaseException) -> StartupError:
    reason = (str(error) or type(error).__name__).rstrip('.')
    return StartupError.at(
        document,
        setting.loc,
        f'cannot reach the message queue {setting.shown} ({setting.source}): {reason}; '
        f'start it, or set {ENV_VAR}=none to serve from this one process',
    )


def start(document: Document, setting: QueueSetting, server: socketio.Server) -> None:
    """Connect ``server``'s manager to the queue now, and wait until it listens.

    python-socketio would do it at the first client's connection; done at
    start-up, a client connecting here cannot miss what another node publishes
    just after.

    Raises:
        StartupError: the subscription is not in place in time.
    """
    manager = server.manager
    server.manager_initialized = True
    manager.initialize()
    if isinstance(manager, _Subscription) and not manager.subscribed.wait(STARTUP_TIMEOUT):
        raise _unreachable(
            document, setting, TimeoutError(f'not subscribed within {STARTUP_TIMEOUT:.0f} s')
        )


def _ping(
    document: Document, setting: QueueSetting, module: ModuleType, options: dict[str, Any]
) -> None:
    """Stop the start-up when Redis (or Valkey) does not answer a PING."""
    try:
        client = module.Redis.from_url(setting.url, **options)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as ex:
        raise _unreachable(document, setting, ex) from None


def _connect(document: Document, setting: QueueSetting, kombu: ModuleType) -> None:
    """Stop the start-up when the AMQP broker does not take a connection.

    KombuManager connects only in its listening thread, which logs and retries
    for ever: a node would serve, cut off from the others, saying little.
    """
    try:
        with kombu.Connection(setting.url, connect_timeout=5) as connection:
            connection.connect()
    except Exception as ex:
        raise _unreachable(document, setting, ex) from None


def write_only(document: Document) -> socketio.PubSubManager:
    """python-socketio's write-only manager on the app's queue, for another process.

    It emits to the clients of every process serving the app, from a process
    that serves none (a worker, a cron job)::

        from rbconfig.converters import load
        from rbconfig.runtime.socket.queue import write_only

        queue = write_only(load('apps/chat/chat.yaml'))
        queue.emit('message', '{"announcement": "back at 5"}', namespace='/')

    ``emit(event, data, namespace='/', room=None, skip_sid=None)`` (``room``
    may be one client's sid) and ``disconnect(sid, namespace='/')`` are
    python-socketio's.

    Raises:
        StartupError: the app has no message queue, or its client library is missing.
    """
    setting = queue_setting(document)
    if setting is None:
        raise StartupError.at(
            document,
            ('socketio', 'message_queue'),
            f'no message queue: set socketio.message_queue in the spec or {ENV_VAR}',
        )
    return _manager(setting, _client_module(document, setting), write_only=True)
