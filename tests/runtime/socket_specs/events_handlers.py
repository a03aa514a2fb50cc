"""Modern socket handlers exercising the handler context."""

import os

import gevent

from rbconfig.runtime.socket import ConnectionRefused


def connect(ctx, auth):
    ctx.session['name'] = (auth or {}).get('name', ctx.sid)
    ctx.broadcast('joined', ctx.session['name'])


def disconnect(ctx, reason):
    ctx.broadcast('left', ctx.session['name'])


def chat(ctx, data):
    ctx.broadcast('chat', {'from': ctx.session['name'], 'text': data})
    return 'ok'


def on_message(ctx, data):
    """What socket.send(data) sends: relayed to the others, acknowledged."""
    ctx.broadcast('message', {'from': ctx.session['name'], 'data': data})
    return 'got it'


def echo(ctx, data):
    ctx.emit('echo', data)


def join(ctx, room):
    ctx.join(room)
    return sorted(ctx.rooms)


def leave(ctx, room):
    ctx.leave(room)
    return sorted(ctx.rooms)


def to_room(ctx, room, text):
    ctx.broadcast('room', {'room': room, 'text': text}, room=room)


def whoami(ctx):
    return {'sid': ctx.sid, 'name': ctx.session['name'], 'greeting': ctx.globs['greeting']}


def pair(ctx, a, b):
    return [a, b]


def many(ctx, *args):
    return len(args), list(args)


def fail(ctx, data):
    raise RuntimeError('handler failed on purpose')


def slow(ctx, seconds):
    gevent.sleep(seconds)
    return 'slept'


def kick(ctx, sid):
    ctx.emit('kicked', ctx.sid, to=sid)


def flood(ctx, count, size, room):
    """Broadcast ``count`` messages of ``size`` characters to ``room``."""
    blob = 'x' * size
    for index in range(count):
        ctx.broadcast('flood', {'i': index, 'blob': blob}, room=room, include_self=True)
    return count


def admin_connect(ctx, auth):
    if (auth or {}).get('token') != 'secret':
        return False
    ctx.session['admin'] = True


def admin_ping(ctx, data):
    return ['pong', ctx.namespace, ctx.session.get('admin')]


def announce(globs, request):
    """A RedBarrel HTTP handler broadcasting to the sockets (as shortme did)."""
    request.environ['socketio'].server.broadcast({'announce': request.body.decode()})
    return 'sent'


def whoami_plain(ctx):
    return ctx.sid


def bye(ctx):
    ctx.disconnect()


def pid(ctx):
    """The id of the process serving this client (which gunicorn worker, which node)."""
    return os.getpid()


def evict(ctx, sid):
    """Disconnect another client, wherever it is connected (through the hub)."""
    ctx.hub.disconnect(sid)
    return 'evicted'


def whisper(ctx, data):
    ctx.send({'whisper': data})


def strict_connect(ctx):
    raise ConnectionRefused('no entry')


def broken_connect(ctx, auth):
    raise RuntimeError('connect handler broke on purpose')
