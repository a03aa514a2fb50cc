"""The chat room of "RedBarrel is now socket.io compatible" (2011-08-03).

Typed in from the post, unchanged: it was already valid Python 3. Each
connection runs ``chat()`` in its own greenlet. ``recv()`` returns the
arguments of one ``message`` event (``[text]`` for the page's
``socket.send(text)``) and ``[]`` once the client is gone; the loop needs no
``break``: the runtime ends the greenlet cleanly at the next ``recv()``.
Messages travel as socket.io ``message`` events carrying JSON text:

* ``{"buffer": [...]}``: the last 30 messages, sent to a client that joins;
* ``{"announcement": "<sid> connected"}`` / ``"<sid> disconnected"``: to the others;
* ``{"message": [sid, text]}``: a message, to everyone but its author.
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
