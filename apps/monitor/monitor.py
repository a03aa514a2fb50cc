"""Real-time server monitoring with a chat: the demo RedBarrel's 2011 post promised.

One background greenlet for the whole app samples CPU and memory use twice a
second and pushes each sample to every viewer; the last five minutes are kept
so a new viewer's charts start full. It is started once, at start-up, by the
spec's ``globals`` entry ``monitor: python:monitor.start``, which is given the
app's Socket.IO hub (its ``hub`` parameter): the greenlet pushes with
``hub.emit('sample', ...)``, reaching every viewer without being a handler.

Socket.IO events (modern handlers ``f(ctx, data)``):

* server → viewers: ``hello`` (host facts and the history, on connect),
  ``sample`` (``{t, cpu, mem}``, twice a second), ``viewers`` (how many watch),
  ``chat`` (``{name, text}`` from someone else);
* viewer → server: ``chat`` (``{name, text}``; the ack is ``{ok, error?}``).
"""

from __future__ import annotations

import logging
import socket
import time
from collections import deque
from typing import Any

import gevent
from probe import cpu_count, cpu_percent, read_cpu, read_memory

__all__ = ['Monitor', 'chat', 'connect', 'disconnect', 'start']

log = logging.getLogger('monitor')

#: Seconds between samples: twice a second.
INTERVAL = 0.5
#: Samples kept: five minutes.
KEEP = 600
MAX_NAME = 32
MAX_TEXT = 500


class Monitor:
    """Samples /proc every ``interval`` seconds in one greenlet and pushes to all viewers.

    Args:
        hub: the app's Socket.IO hub (``rbconfig.runtime.socket.Hub``).
        interval: seconds between samples.
        keep: samples kept for new viewers.
    """

    def __init__(self, hub: Any, interval: float = INTERVAL, keep: int = KEEP) -> None:
        self.hub = hub
        self.interval = interval
        self.history: deque[dict[str, float]] = deque(maxlen=keep)
        self.viewers: set[str] = set()
        self._greenlet: gevent.Greenlet | None = None
        memory = read_memory()
        self.facts = {
            'host': socket.gethostname(),
            'cpus': cpu_count(),
            'memory_mb': round(memory.total_kb / 1024),
            'interval': interval,
            'keep': keep,
        }

    def start(self) -> None:
        """Start the sampling greenlet (once)."""
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        before = read_cpu()
        next_at = time.monotonic()
        while True:
            next_at += self.interval
            gevent.sleep(max(0.0, next_at - time.monotonic()))
            after = read_cpu()
            sample = {
                't': round(time.time(), 3),
                'cpu': round(cpu_percent(before, after), 1),
                'mem': round(read_memory().used_percent, 1),
            }
            before = after
            self.history.append(sample)
            if self.viewers:
                try:
                    # This process's own view: with several nodes (a message queue), each
                    # pushes to its own viewers only, so nobody gets every sample twice.
                    self.hub.emit('sample', sample, local=True)
                except Exception:  # a failed push must not stop the sampling
                    log.exception('pushing a sample failed')


def start(globs: dict[str, Any], *, hub: Any) -> Monitor:
    """The ``globals`` entry: make the monitor and start sampling (called once at start-up).

    Args:
        globs: the globals above it (``interval``).
        hub: the app's Socket.IO hub, given by rbconfig because of this parameter.
    """
    monitor = Monitor(hub, interval=float(globs.get('interval', INTERVAL)))
    monitor.start()
    return monitor


def _monitor(ctx: Any) -> Monitor:
    return ctx.globs['monitor']  # type: ignore[no-any-return]


def connect(ctx: Any) -> None:
    """A viewer arrives: give it the host facts and the history, tell everyone the count."""
    monitor = _monitor(ctx)
    monitor.viewers.add(ctx.sid)
    ctx.emit('hello', {**monitor.facts, 'history': list(monitor.history)})
    ctx.hub.emit('viewers', len(monitor.viewers), local=True)  # this node's viewers


def disconnect(ctx: Any) -> None:
    """A viewer leaves: tell the others the new count."""
    monitor = _monitor(ctx)
    monitor.viewers.discard(ctx.sid)
    ctx.hub.emit('viewers', len(monitor.viewers), local=True)


def chat(ctx: Any, data: Any) -> dict[str, Any]:
    """A chat line ``{name, text}``: sent to every other viewer; the ack says if it went."""
    if not isinstance(data, dict):
        return {'ok': False, 'error': 'expected {name, text}'}
    text = str(data.get('text', '')).strip()[:MAX_TEXT]
    name = str(data.get('name', '')).strip()[:MAX_NAME] or 'anonymous'
    if not text:
        return {'ok': False, 'error': 'empty message'}
    ctx.broadcast('chat', {'name': name, 'text': text, 't': round(time.time(), 3)})
    return {'ok': True}
