"""Pushing through the hub from outside socket handlers."""

import json

import gevent


class Ticker:
    """Emits ``tick`` to every client of '/' every ``every`` seconds, from its own greenlet."""

    def __init__(self, hub, every):
        self.hub = hub
        self.every = every
        self.count = 0
        self.greenlet = gevent.spawn(self.run)

    def run(self):
        while True:
            gevent.sleep(self.every)
            self.count += 1
            self.hub.emit('tick', self.count)


def start_ticker(globs, *, hub):
    return Ticker(hub, float(globs['every']))


def push(req, body, to=None, namespace='/'):
    """A modern HTTP handler: the hub is in the WSGI environ."""
    hub = req.env['rbconfig.hub']
    hub.emit('pushed', body, to=to, namespace=namespace)
    return {'connected': hub.connected(namespace)}


def push_room(req, room, body):
    hub = req.env['rbconfig.hub']
    hub.emit('room', body, room=room)
    return {'rooms': hub.rooms()}


def legacy(globs, request):
    """RedBarrel 2011: the socket server from a plain HTTP handler."""
    server = request.environ['socketio'].server
    server.broadcast({'legacy': json.loads(request.body)})
    return 'same hub' if server.hub is request.environ['rbconfig.hub'] else 'another hub'


def counts(req, globs):
    hub = req.env['rbconfig.hub']
    return {
        'connected': hub.connected(),
        'other': hub.connected('/other'),
        'rooms': hub.rooms(),
        'ticker_has_this_hub': globs['ticker'].hub is hub,
    }


def join(ctx, room):
    ctx.join(room)
    return sorted(ctx.rooms)


def same_hub(ctx):
    return ctx.hub is ctx.globs['ticker'].hub and ctx.hub is ctx.environ['rbconfig.hub']
