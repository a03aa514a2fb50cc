"""The chat handler of "RedBarrel is now socket.io compatible" (2011-08-03), as posted.

Typed in from the post unchanged (it is already valid Python 3): it loops
forever, with no ``break``, and treats ``recv()`` returning one item as one
chat line. The runtime must end its greenlet once the client has gone.
"""

import json

_BUFFER = []

_D = json.dumps


def add(msg):
    _BUFFER.append(msg)
    if len(_BUFFER) > 30:
        del _BUFFER[0]


def chat(globs, request):
    """A Chat room using web sockets"""
    socketio = request.socketio
    sid = socketio.session.session_id

    def announce(message):
        socketio.broadcast(_D({'announcement': message}))

    if socketio.on_connect():
        announce(sid + ' connected')
        socketio.send(_D({'buffer': _BUFFER}))

    while True:
        message = socketio.recv()
        if len(message) == 1:
            message = {'message': [sid, message[0]]}
            add(message)
            socketio.broadcast(_D(message))
        else:
            if not socketio.connected():
                announce(sid + ' disconnected')
