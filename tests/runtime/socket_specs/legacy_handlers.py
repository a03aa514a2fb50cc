"""RedBarrel-style socket handlers ``func(globs, request)`` for the tests."""

import gevent


def echo(globs, request):
    """The 78766e7 style: the socket read from ``request.environ['socketio']``."""
    io = request.environ['socketio']
    assert io is request.socketio
    io.send(
        {
            'hello': io.session.session_id,
            'transport': request.match['transport'],
            'first': io.on_connect(),
            'again': io.on_connect(),
            'title': globs['title'],
        }
    )
    while io.connected():
        for item in io.recv():
            io.send({'echo': item})
            io.broadcast({'from': io.session.session_id, 'said': item})


def crash(globs, request):
    io = request.socketio
    io.send('ready')
    io.recv()
    raise ValueError('legacy handler failed on purpose')


def stubborn(globs, request):
    """Never calls recv() and never checks connected(): must still be ended."""
    request.socketio.send('here')
    while True:
        gevent.sleep(0.1)


def brief(globs, request):
    """Greets and returns while the client stays connected."""
    request.socketio.send('bye for now')
